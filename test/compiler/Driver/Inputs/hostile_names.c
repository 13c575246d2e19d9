// Includes the header generated from hostile-names.onnxtxt: nothing the
// tensor names say may become code. Were `int evil_decl;` or the macro
// injected, the definitions below would not compile (-Werror); the names
// must still reach the info tables unchanged.
#include "hostile.h"

#include <stdio.h>
#include <string.h>

#ifdef evil_macro
#error "a tensor name defined a macro"
#endif
static const char *evil_decl(void) { return "not injected"; }
static const char *evil_splice(void) { return "not injected"; }

int main(void) {
  int failed = 0;
  failed |= strcmp(hostile_input_info(0)->name, "x*/ int evil_decl; /*");
  failed |= strcmp(hostile_output_info(0)->name, "*/ #error evil_error");
  failed |= strcmp(hostile_output_info(1)->name, "a\n#define evil_macro 1\n//");
  failed |= strcmp(hostile_output_info(2)->name,
                   "splice\\\nint evil_splice; ?\?/ '\"caf\xc3\xa9");
  hostile_ctx *ctx;
  if (hostile_create(NULL, &ctx) != NNRT_OK)
    return 1;
  const float x[2] = {-1.5f, 2.5f};
  float a[2], b[2], c[2];
  failed |= hostile_infer(ctx, x, a, b, c) != NNRT_OK;
  // Relu.
  failed |= a[0] != 0 || a[1] != 2.5f || b[1] != 2.5f || c[0] != 0;
  hostile_destroy(ctx);
  printf("%s %s: %s\n", evil_decl(), evil_splice(), failed ? "FAILED" : "ok");
  return failed;
}
