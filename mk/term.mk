# mk/term.mk: see the comment at its first rule.
