// OpenBLAS is loaded on the first matrix product, not when the program starts: linked in, its
// constructor starts a pool of spinning threads in every `tether` process, which costs more than
// a short command's whole work (`tether --help`, `tether shell echo`). These definitions stand in
// for the two CBLAS entry points Inference uses and forward to the library once it is opened.
#include "CKernels.h"

#include <cblas.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

typedef void (*sgemm_fn)(OPENBLAS_CONST enum CBLAS_ORDER, OPENBLAS_CONST enum CBLAS_TRANSPOSE,
                         OPENBLAS_CONST enum CBLAS_TRANSPOSE, OPENBLAS_CONST blasint, OPENBLAS_CONST blasint,
                         OPENBLAS_CONST blasint, OPENBLAS_CONST float, OPENBLAS_CONST float *, OPENBLAS_CONST blasint,
                         OPENBLAS_CONST float *, OPENBLAS_CONST blasint, OPENBLAS_CONST float, float *,
                         OPENBLAS_CONST blasint);
typedef void (*sgemv_fn)(OPENBLAS_CONST enum CBLAS_ORDER, OPENBLAS_CONST enum CBLAS_TRANSPOSE, OPENBLAS_CONST blasint,
                         OPENBLAS_CONST blasint, OPENBLAS_CONST float, OPENBLAS_CONST float *, OPENBLAS_CONST blasint,
                         OPENBLAS_CONST float *, OPENBLAS_CONST blasint, OPENBLAS_CONST float, float *,
                         OPENBLAS_CONST blasint);

static pthread_once_t once = PTHREAD_ONCE_INIT;
static sgemm_fn real_sgemm;
static sgemv_fn real_sgemv;
static void (*real_set_threads)(int);

static void load(void) {
    tk_prepare_environment();  // OPENBLAS_NUM_THREADS, OPENBLAS_CORETYPE
    static const char *names[] = {"libopenblas.so.0", "libopenblas.so", "libblas.so.3"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        void *library = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
        if (!library) continue;
        real_sgemm = (sgemm_fn)dlsym(library, "cblas_sgemm");
        real_sgemv = (sgemv_fn)dlsym(library, "cblas_sgemv");
        *(void **)(&real_set_threads) = dlsym(library, "openblas_set_num_threads");
        if (real_sgemm && real_sgemv) {
            // One thread per call: the engine's compute pool (pool.c) shares the work out, and
            // OpenBLAS's own threads would spin against it.
            if (real_set_threads) real_set_threads(1);
            return;
        }
    }
    // Not input from outside: the system lacks the library the package declares.
    fprintf(stderr, "tether: cannot load OpenBLAS (libopenblas.so.0): install it with Scripts/bootstrap "
                    "(Debian: apt-get install libopenblas0)\n");
    exit(70);
}

void cblas_sgemm(OPENBLAS_CONST enum CBLAS_ORDER Order, OPENBLAS_CONST enum CBLAS_TRANSPOSE TransA,
                 OPENBLAS_CONST enum CBLAS_TRANSPOSE TransB, OPENBLAS_CONST blasint M, OPENBLAS_CONST blasint N,
                 OPENBLAS_CONST blasint K, OPENBLAS_CONST float alpha, OPENBLAS_CONST float *A,
                 OPENBLAS_CONST blasint lda, OPENBLAS_CONST float *B, OPENBLAS_CONST blasint ldb,
                 OPENBLAS_CONST float beta, float *C, OPENBLAS_CONST blasint ldc) {
    pthread_once(&once, load);
    real_sgemm(Order, TransA, TransB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

void cblas_sgemv(OPENBLAS_CONST enum CBLAS_ORDER order, OPENBLAS_CONST enum CBLAS_TRANSPOSE trans,
                 OPENBLAS_CONST blasint m, OPENBLAS_CONST blasint n, OPENBLAS_CONST float alpha,
                 OPENBLAS_CONST float *a, OPENBLAS_CONST blasint lda, OPENBLAS_CONST float *x,
                 OPENBLAS_CONST blasint incx, OPENBLAS_CONST float beta, float *y, OPENBLAS_CONST blasint incy) {
    pthread_once(&once, load);
    real_sgemv(order, trans, m, n, alpha, a, lda, x, incx, beta, y, incy);
}

