/* test_rel.c: not written yet. */
int main(void);
int
main(void)
{
	return (77);
}
