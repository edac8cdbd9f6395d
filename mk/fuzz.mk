# mk/fuzz.mk: see the comment at its first rule.
