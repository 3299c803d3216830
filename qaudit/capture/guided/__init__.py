"""The guided terminal audit (``qaudit run``): one question at a time, nothing ever lost.

The questions are the standard's header fields and the audit's subject (for a
``qaudit/standard@2`` standard), then every item in standard order: a repeated
section once per instance (its label asked first, then "another room?" within
the section's min..max), a question or section whose ``when`` condition is false
skipped with one line saying why; last the overall comment. Every answer is
written to a draft file (atomically) before the next question appears, so
Ctrl-C, a closed terminal or a killed process loses nothing: running the same
command again resumes at the first unanswered question. At the end a review
shows every answer, the findings, the score, grade and critical failures, and
the audit file is written; then the draft is removed.

Every word the inspector reads comes from the catalogue (:mod:`qaudit.i18n`) in
the audit's language; ``y``/``n`` (and the language's own yes and no) answer
yes/no questions, and numbers pick options, in every language.
"""
