# mk/bench.mk: see the comment at its first rule.
