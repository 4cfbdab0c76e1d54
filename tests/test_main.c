/*
 * The one CUnit runner: every tests/test_<module>.c defines test_<module>_register(), which
 * adds that module's suite; the Makefile generates tests_register_all() from the file list.
 * Exit status is non-zero when any assertion failed, so make stops.
 *
 * Usage: unit_tests [SUITE...]   run only the named suites (all by default).
 */
#include <CUnit/Basic.h>
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <string.h>

void tests_register_all(void);

int main(int argc, char **argv) {
    unsigned failed;

    if (CU_initialize_registry() != CUE_SUCCESS) return 2;
    tests_register_all();
    if (argc > 1) {
        /* Deactivate every suite not named on the command line. */
        CU_pTestRegistry reg = CU_get_registry();
        for (CU_pSuite s = reg->pSuite; s; s = s->pNext) {
            int keep = 0;
            for (int i = 1; i < argc; i++)
                if (strcmp(s->pName, argv[i]) == 0) keep = 1;
            CU_set_suite_active(s, keep);
        }
    }
    CU_basic_set_mode(CU_BRM_NORMAL);
    CU_basic_run_tests();
    failed = CU_get_number_of_failures() + CU_get_number_of_suites_failed();
    CU_cleanup_registry();
    return failed ? 1 : 0;
}
