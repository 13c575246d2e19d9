//===- file_io_test.h - Tests of libnnrt's files, from main -------*- C -*-===//
//
// The file tests (file_io_test.c) are a second translation unit of
// nnrt-runtime-test. check.h counts in static variables, one pair per
// translation unit, so the file tests hand their counts to main, which
// prints the one summary line runtime.test matches.
//
//===----------------------------------------------------------------------===//

#ifndef NNCC_TEST_RUNTIME_FILE_IO_TEST_H
#define NNCC_TEST_RUNTIME_FILE_IO_TEST_H

/// Runs the tests of the save and load hooks, writing their files in `dir`
/// (an existing, empty directory), and returns the number of checks that
/// passed and failed. Leaves `dir` holding only saved.onnx, the model that
/// check_saved_onnx.py verifies.
void run_file_io_tests(const char *dir, int *passed, int *failed);

#endif // NNCC_TEST_RUNTIME_FILE_IO_TEST_H
