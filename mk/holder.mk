# mk/holder.mk: see the comment at its first rule.
