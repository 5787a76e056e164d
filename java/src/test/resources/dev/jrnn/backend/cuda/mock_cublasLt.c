/* Stand-in for libcublasLt.so.N: mock libcublas needs one symbol from it, so loading the mock cuBLAS from
 * a directory only works when this sibling was loaded first (as a pip wheel's layout requires). */
int mock_lt_present(void) { return 1; }
