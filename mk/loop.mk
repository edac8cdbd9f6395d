# mk/loop.mk: see the comment at its first rule.
