"""The one scorer: a standard and an audit in, an audit result out (contract §3, 7.6, 7.8)."""
