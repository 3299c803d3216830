"""Files to models with every problem located: standards (and their checks), audit documents,
responses, filled Excel forms, sites and waivers, the workspace file, the JSON Schema of the formats."""
