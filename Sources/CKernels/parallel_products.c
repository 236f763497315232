// The products that are not oneDNN's, spread over the compute pool: OpenBLAS runs one thread per
// call (blas_loader.c sets it so) and each pool thread multiplies its own columns; the 16-bit
// GEMV its own rows.
#include "CKernels.h"

#include <cblas.h>

typedef struct {
    const float *a, *b;
    float *c;
    long m, k, n, ldc, chunk;
} sgemm_job;

static void sgemm_task(void *context, long index) {
    const sgemm_job *j = context;
    const long n0 = index * j->chunk, n = j->n - n0 < j->chunk ? j->n - n0 : j->chunk;
    if (j->m == 1) {
        cblas_sgemv(CblasRowMajor, CblasNoTrans, (int)n, (int)j->k, 1, j->b + n0 * j->k, (int)j->k, j->a, 1, 0,
                    j->c + n0, 1);
    } else {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)j->m, (int)n, (int)j->k, 1, j->a, (int)j->k,
                    j->b + n0 * j->k, (int)j->k, 0, j->c + n0, (int)j->ldc);
    }
}

void tk_sgemm_nt(const float *a, long m, long k, const float *b, long n, float *c, long ldc) {
    if (m <= 0 || n <= 0) return;
    const long threads = tk_pool_threads();
    // Columns per task: a multiple of 16, several tasks per thread so uneven cores even out.
    long chunk = (n + threads * 4 - 1) / (threads * 4);
    chunk = (chunk + 15) / 16 * 16;
    if (chunk < 64) chunk = 64;
    if (m * n * k < (1L << 20)) chunk = n;  // too small to share
    sgemm_job job = {.a = a, .b = b, .c = c, .m = m, .k = k, .n = n, .ldc = ldc, .chunk = chunk};
    tk_parallel_for((n + chunk - 1) / chunk, sgemm_task, &job);
}

typedef struct {
    const uint16_t *w;
    const float *x;
    float *y;
    long k, m, n, chunk;
    int is_bf16;
} gemv_job;

static void gemv_task(void *context, long index) {
    const gemv_job *j = context;
    const long r0 = index * j->chunk, r1 = r0 + j->chunk < j->n ? r0 + j->chunk : j->n;
    tk_gemv_half(j->w, j->is_bf16, j->k, j->x, j->m, j->y, j->n, r0, r1);
}

void tk_gemv_half_parallel(const uint16_t *w, int is_bf16, long k, const float *x, long m, float *y, long n) {
    const long tasks = tk_pool_threads() * 4L;
    const long chunk = (n + tasks - 1) / tasks;
    gemv_job job = {.w = w, .x = x, .y = y, .k = k, .m = m, .n = n, .chunk = chunk < 1 ? 1 : chunk, .is_bf16 = is_bf16};
    tk_parallel_for((n + job.chunk - 1) / job.chunk, gemv_task, &job);
}
