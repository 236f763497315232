// Products of 1–8 rows (a decoded token, a speculative check) on one packed 13696 × 4096 bf16
// matrix of AutoGLM's MLP, four copies in turn (448 MB, past the caches): Tether's GEMV in the
// form this CPU's rates choose, in each form forced, and oneDNN's own small-M kernel, f32 (split)
// and bf16. Built by Scripts/bench-gemv against Sources/CKernels.
#include "CKernels.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

enum { COPIES = 4, REPEATS = 24 };

// Best of REPEATS, in ms.
static double best_ms(tk_packed **w, const float *x, long m, float *y, int split) {
    double best = 1e9;
    for (int r = 0; r < REPEATS; r++) {
        const double t0 = now();
        tk_dnnl_linear(w[r % COPIES], x, m, y, split);
        const double t = now() - t0;
        best = t < best ? t : best;
    }
    return best * 1e3;
}

int main(void) {
    const long n = 13696, k = 4096;
    uint16_t *w = malloc(sizeof(uint16_t) * (size_t)(n * k));
    float *x = malloc(sizeof(float) * 8 * (size_t)k), *y = malloc(sizeof(float) * 8 * (size_t)n);
    if (!w || !x || !y || !tk_dnnl_available()) {
        fprintf(stderr, "bench_gemv: %s\n", tk_dnnl_available() ? "out of memory" : tk_dnnl_status());
        return 1;
    }
    srand(7);
    for (long i = 0; i < 8 * k; i++) x[i] = (float)(rand() % 2001 - 1000) / 1000.0f;
    tk_packed *packed[COPIES];
    for (int c = 0; c < COPIES; c++) {
        for (long i = 0; i < n * k; i++) w[i] = (uint16_t)(0x3c00 + rand() % 512);  // ±(0.0078…0.031)
        if (!(packed[c] = tk_dnnl_pack_bf16(w, n, k))) return 1;
    }
    printf("one 13696 x 4096 bf16 matrix (112 MB), %d copies in turn; ms, best of %d; the GEMV's choice here: "
           "f32 %s, bf16 %s\n",
           COPIES, REPEATS, tk_dnnl_products_on_fma(1) ? "FMAs past one pass" : "bf16 dot",
           tk_dnnl_products_on_fma(0) ? "FMAs past one pass" : "bf16 dot");
    printf("rows  precision  chosen   dot only   FMAs past one pass   oneDNN   oneDNN / chosen\n");
    for (int split = 1; split >= 0; split--)
        for (long m = 1; m <= 8; m *= 2) {
            tk_dnnl_set_products_on_fma(-1);
            const double chosen = best_ms(packed, x, m, y, split);
            tk_dnnl_set_products_on_fma(0);
            const double dot = best_ms(packed, x, m, y, split);
            tk_dnnl_set_products_on_fma(1);
            const double fma = best_ms(packed, x, m, y, split);
            tk_dnnl_set_products_on_fma(-1);
            tk_dnnl_allow_gemv(0);
            const double onednn = best_ms(packed, x, m, y, split);
            tk_dnnl_allow_gemv(1);
            printf("%4ld  %-9s  %6.2f   %8.2f   %18.2f   %6.2f   %.2f\n", m, split ? "f32" : "bf16", chosen, dot, fma,
                   onednn, onednn / chosen);
        }
    for (int c = 0; c < COPIES; c++) tk_dnnl_free(packed[c]);
    return 0;
}
