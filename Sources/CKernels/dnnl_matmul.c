// Matrix products on bf16 weights through oneDNN's matmul primitive (libdnnl.so.2, Debian's
// libdnnl2), which picks the CPU's AVX-512 BF16 / AMX / AVX2 kernels at run time. The library is
// opened on first use, as OpenBLAS is (blas_loader.c): a process that never multiplies matrices
// never loads it, and a machine without it falls back to OpenBLAS (the caller asks
// tk_dnnl_available()).
//
// Weights are reordered once into the layout the kernel wants (tk_dnnl_pack_bf16) and reused by
// every call. Activations arrive as f32 and are rounded to bf16 for the kernel:
//   split = 1: x = hi + lo with hi = bf16(x), lo = bf16(x - hi), and x·W = hi·W + lo·W. bf16 × bf16
//              products are exact in f32 and the kernel accumulates in f32, so the result carries
//              x to 16 significant bits (relative error ≈ 2⁻¹⁷ per term): f32 sgemm's accuracy on
//              bf16 weights, at twice the bf16 work.
//   split = 0: x rounded to bf16 once, as torch does in bf16.
#include "CKernels.h"
#include "bf16.h"

#include <dlfcn.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>
#endif

#if __has_include(<oneapi/dnnl/dnnl.h>)
#include <oneapi/dnnl/dnnl.h>
#define TK_HAVE_DNNL_HEADERS 1
#else
#define TK_HAVE_DNNL_HEADERS 0
#endif

static char status_text[256] = "oneDNN not loaded yet";
// Products of up to this many rows on bf16 weights run the GEMV (decoding: a token, a check of
// a few drafted ones); tests switch it off to compare with oneDNN's kernel.
enum { GEMV_MAX_ROWS = 8 };
static atomic_int gemv_allowed = 1;

#if TK_HAVE_DNNL_HEADERS

#define FN(ret, name, args) static ret(*p_##name) args;
FN(dnnl_status_t, dnnl_engine_create, (dnnl_engine_t *, dnnl_engine_kind_t, size_t))
FN(dnnl_status_t, dnnl_stream_create, (dnnl_stream_t *, dnnl_engine_t, unsigned))
FN(dnnl_status_t, dnnl_stream_wait, (dnnl_stream_t))
FN(dnnl_status_t, dnnl_memory_desc_init_by_tag,
   (dnnl_memory_desc_t *, int, const dnnl_dims_t, dnnl_data_type_t, dnnl_format_tag_t))
FN(size_t, dnnl_memory_desc_get_size, (const dnnl_memory_desc_t *))
FN(dnnl_status_t, dnnl_matmul_desc_init,
   (dnnl_matmul_desc_t *, const dnnl_memory_desc_t *, const dnnl_memory_desc_t *, const dnnl_memory_desc_t *,
    const dnnl_memory_desc_t *))
FN(dnnl_status_t, dnnl_primitive_desc_create,
   (dnnl_primitive_desc_t *, const_dnnl_op_desc_t, const_dnnl_primitive_attr_t, dnnl_engine_t,
    const_dnnl_primitive_desc_t))
FN(dnnl_status_t, dnnl_primitive_desc_destroy, (dnnl_primitive_desc_t))
FN(const dnnl_memory_desc_t *, dnnl_primitive_desc_query_md, (const_dnnl_primitive_desc_t, dnnl_query_t, int))
FN(dnnl_status_t, dnnl_primitive_desc_query, (const_dnnl_primitive_desc_t, dnnl_query_t, int, void *))
FN(dnnl_status_t, dnnl_reorder_primitive_desc_create,
   (dnnl_primitive_desc_t *, const dnnl_memory_desc_t *, dnnl_engine_t, const dnnl_memory_desc_t *, dnnl_engine_t,
    const_dnnl_primitive_attr_t))
FN(dnnl_status_t, dnnl_primitive_create, (dnnl_primitive_t *, const_dnnl_primitive_desc_t))
FN(dnnl_status_t, dnnl_primitive_execute, (const_dnnl_primitive_t, dnnl_stream_t, int, const dnnl_exec_arg_t *))
FN(dnnl_status_t, dnnl_primitive_destroy, (dnnl_primitive_t))
FN(dnnl_status_t, dnnl_memory_create, (dnnl_memory_t *, const dnnl_memory_desc_t *, dnnl_engine_t, void *))
FN(dnnl_status_t, dnnl_memory_destroy, (dnnl_memory_t))
FN(dnnl_status_t, dnnl_primitive_attr_create, (dnnl_primitive_attr_t *))
FN(dnnl_status_t, dnnl_primitive_attr_destroy, (dnnl_primitive_attr_t))
FN(dnnl_status_t, dnnl_primitive_attr_set_post_ops, (dnnl_primitive_attr_t, const_dnnl_post_ops_t))
FN(dnnl_status_t, dnnl_post_ops_create, (dnnl_post_ops_t *))
FN(dnnl_status_t, dnnl_post_ops_destroy, (dnnl_post_ops_t))
FN(dnnl_status_t, dnnl_post_ops_append_sum, (dnnl_post_ops_t, float))
FN(dnnl_status_t, dnnl_primitive_attr_set_output_scales, (dnnl_primitive_attr_t, dnnl_dim_t, int, const float *))
#undef FN
static void (*p_omp_set_num_threads)(int);

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int available;
static dnnl_engine_t engine;
static dnnl_stream_t stream;
// One product at a time: the stream is shared and oneDNN's OpenMP team spans every core anyway.
static pthread_mutex_t run_lock = PTHREAD_MUTEX_INITIALIZER;

struct tk_packed {
    long n, k;
    dnnl_memory_desc_t md;
    void *data;
    size_t bytes;
    float *scales;  // int8 weights: each output channel's scale (NULL for bf16)
    // Weights in oneDNN's "BA16a64b2a" (bf16) or "BA16a64b4a" (int8, with its s8s8 compensation:
    // −128·Σk w per column, int32, after the data) layout, which the GEMV below reads for few rows:
    // strips of 64 output columns, each K_padded × 64 values in a row, holding for every pair (quad)
    // of k the 64 columns' weights side by side (what vdpbf16ps / vpdpbusd read). 0: another layout.
    long gemv_k;  // K padded to 32 (64) when the layout is that one
    long gemv_n;  // N padded to 64
};

static int load_symbols(void *lib) {
#define SYM(name)                                                                                            \
    if (!(*(void **)(&p_##name) = dlsym(lib, #name))) {                                                     \
        snprintf(status_text, sizeof status_text, "libdnnl.so.2 lacks %s", #name);                           \
        return 0;                                                                                            \
    }
    SYM(dnnl_engine_create) SYM(dnnl_stream_create) SYM(dnnl_stream_wait) SYM(dnnl_memory_desc_init_by_tag)
    SYM(dnnl_memory_desc_get_size) SYM(dnnl_matmul_desc_init) SYM(dnnl_primitive_desc_create)
    SYM(dnnl_primitive_desc_destroy) SYM(dnnl_primitive_desc_query_md) SYM(dnnl_primitive_desc_query)
    SYM(dnnl_reorder_primitive_desc_create) SYM(dnnl_primitive_create) SYM(dnnl_primitive_execute)
    SYM(dnnl_primitive_destroy) SYM(dnnl_memory_create) SYM(dnnl_memory_destroy) SYM(dnnl_primitive_attr_create)
    SYM(dnnl_primitive_attr_destroy) SYM(dnnl_primitive_attr_set_post_ops) SYM(dnnl_post_ops_create)
    SYM(dnnl_post_ops_destroy) SYM(dnnl_post_ops_append_sum) SYM(dnnl_primitive_attr_set_output_scales)
#undef SYM
    return 1;
}

static dnnl_status_t matmul_pd(long m, long k, long n, const dnnl_memory_desc_t *weights, int accumulate,
                               dnnl_primitive_desc_t *pd);

static void load(void) {
    const char *off = getenv("TETHER_NO_ONEDNN");
    if (off && *off && strcmp(off, "0") != 0) {
        snprintf(status_text, sizeof status_text, "oneDNN switched off by TETHER_NO_ONEDNN");
        return;
    }
    // OMP_WAIT_POLICY=PASSIVE, read by libgomp when it is opened below: the team sleeps between
    // products instead of spinning against the pool.
    tk_prepare_environment();
    void *lib = dlopen("libdnnl.so.2", RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        snprintf(status_text, sizeof status_text, "libdnnl.so.2 not found (Debian: apt-get install libdnnl2)");
        return;
    }
    if (!load_symbols(lib)) return;
    void *gomp = dlopen("libgomp.so.1", RTLD_NOW | RTLD_NOLOAD);
    if (gomp) {
        *(void **)(&p_omp_set_num_threads) = dlsym(gomp, "omp_set_num_threads");
    }
    if (p_dnnl_engine_create(&engine, dnnl_cpu, 0) != dnnl_success ||
        p_dnnl_stream_create(&stream, engine, dnnl_stream_default_flags) != dnnl_success) {
        snprintf(status_text, sizeof status_text, "oneDNN could not create a CPU engine");
        return;
    }
    // The CPU must have a bf16 matmul that is not oneDNN's reference loop (which is slower than
    // OpenBLAS on converted weights).
    dnnl_primitive_desc_t pd;
    if (matmul_pd(64, 256, 256, NULL, 0, &pd) != dnnl_success) {
        snprintf(status_text, sizeof status_text, "oneDNN has no bf16 matmul on this CPU");
        return;
    }
    const char *impl = "?";
    p_dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &impl);
    snprintf(status_text, sizeof status_text, "oneDNN %s", impl);
    int reference = strstr(impl, "ref") != NULL;
    p_dnnl_primitive_desc_destroy(pd);
    if (reference) {
        snprintf(status_text, sizeof status_text, "oneDNN has only its reference bf16 matmul here");
        return;
    }
    available = 1;
}

// src (m × k, row-major, bf16 or s8) · weights (k × n of the same type; `weights` NULL = any
// layout) → dst (m × n, f32). `accumulate`: dst += the product (a sum post-op). `scales`: each
// output column multiplied by its scale (int8 weights' per-channel scales).
static dnnl_status_t matmul_pd_of(long m, long k, long n, dnnl_data_type_t type, const dnnl_memory_desc_t *weights,
                                  int accumulate, const float *scales, dnnl_primitive_desc_t *pd) {
    dnnl_memory_desc_t src, wany, dst;
    dnnl_dims_t sd = {m, k}, wd = {k, n}, dd = {m, n};
    dnnl_status_t s;
    if ((s = p_dnnl_memory_desc_init_by_tag(&src, 2, sd, type, dnnl_ab)) != dnnl_success) return s;
    if ((s = p_dnnl_memory_desc_init_by_tag(&wany, 2, wd, type, dnnl_format_tag_any)) != dnnl_success) return s;
    if ((s = p_dnnl_memory_desc_init_by_tag(&dst, 2, dd, dnnl_f32, dnnl_ab)) != dnnl_success) return s;
    dnnl_matmul_desc_t desc;
    if ((s = p_dnnl_matmul_desc_init(&desc, &src, weights ? weights : &wany, NULL, &dst)) != dnnl_success) return s;
    dnnl_primitive_attr_t attr = NULL;
    dnnl_post_ops_t ops = NULL;
    if (accumulate || scales) {
        if ((s = p_dnnl_primitive_attr_create(&attr)) != dnnl_success) return s;
    }
    if (accumulate) {
        // A product that cannot add would overwrite: every step must succeed.
        if ((s = p_dnnl_post_ops_create(&ops)) == dnnl_success && (s = p_dnnl_post_ops_append_sum(ops, 1.0f)) == dnnl_success)
            s = p_dnnl_primitive_attr_set_post_ops(attr, ops);
    }
    if (scales && s == dnnl_success) s = p_dnnl_primitive_attr_set_output_scales(attr, n, 1 << 1, scales);
    if (s == dnnl_success) s = p_dnnl_primitive_desc_create(pd, &desc, attr, engine, NULL);
    if (ops) p_dnnl_post_ops_destroy(ops);
    if (attr) p_dnnl_primitive_attr_destroy(attr);
    return s;
}

static dnnl_status_t matmul_pd(long m, long k, long n, const dnnl_memory_desc_t *weights, int accumulate,
                               dnnl_primitive_desc_t *pd) {
    return matmul_pd_of(m, k, n, dnnl_bf16, weights, accumulate, NULL, pd);
}

#endif

int tk_dnnl_available(void) {
#if TK_HAVE_DNNL_HEADERS
    pthread_once(&once, load);
    return available;
#else
    snprintf(status_text, sizeof status_text, "built without oneDNN's headers (Debian: libdnnl-dev)");
    return 0;
#endif
}

const char *tk_dnnl_status(void) {
    tk_dnnl_available();
    return status_text;
}

#if TK_HAVE_DNNL_HEADERS
static int threads_wanted;

// OpenMP keeps the team size per calling thread, and products run on whichever thread computes:
// set it before each one.
static void apply_threads(void) {
    if (threads_wanted > 0 && p_omp_set_num_threads) p_omp_set_num_threads(threads_wanted);
}
#endif

void tk_dnnl_set_threads(int threads) {
#if TK_HAVE_DNNL_HEADERS
    if (threads > 0) threads_wanted = threads;
#else
    (void)threads;
#endif
}

#if TK_HAVE_DNNL_HEADERS

// Runs `prim` on `count` (≤ 3) memories — argument, descriptor, buffer — and waits for it.
static int execute(dnnl_primitive_t prim, int count, const int *args, const dnnl_memory_desc_t *const *mds,
                   void *const *buffers) {
    dnnl_memory_t memory[3] = {NULL, NULL, NULL};
    dnnl_exec_arg_t exec[3];
    int ok = count <= 3;
    for (int i = 0; ok && i < count; i++) {
        ok = p_dnnl_memory_create(&memory[i], mds[i], engine, buffers[i]) == dnnl_success;
        exec[i].arg = args[i];
        exec[i].memory = memory[i];
    }
    if (ok) ok = p_dnnl_primitive_execute(prim, stream, count, exec) == dnnl_success && p_dnnl_stream_wait(stream) == dnnl_success;
    for (int i = 0; i < 3; i++)
        if (memory[i]) p_dnnl_memory_destroy(memory[i]);
    return ok;
}

static int run(dnnl_primitive_desc_t pd, void *src, void *weights, void *dst, const tk_packed *w) {
    dnnl_primitive_t prim;
    if (p_dnnl_primitive_create(&prim, pd) != dnnl_success) return 0;
    const int args[3] = {DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_DST};
    const dnnl_memory_desc_t *mds[3] = {p_dnnl_primitive_desc_query_md(pd, dnnl_query_src_md, 0), &w->md,
                                        p_dnnl_primitive_desc_query_md(pd, dnnl_query_dst_md, 0)};
    void *buffers[3] = {src, weights, dst};
    const int ok = execute(prim, 3, args, mds, buffers);
    p_dnnl_primitive_destroy(prim);
    return ok;
}

#endif

#if TK_HAVE_DNNL_HEADERS
// Allocates p->data for p->md and reorders W (n × k row-major of `type`, i.e. the k × n weights
// matrix in the "ba" layout) into it.
static int reorder_into(tk_packed *p, const void *w, dnnl_data_type_t type) {
    p->bytes = p_dnnl_memory_desc_get_size(&p->md);
    p->data = aligned_alloc(64, (p->bytes + 63) / 64 * 64);
    if (!p->data) return 0;
    dnnl_memory_desc_t plain;
    dnnl_dims_t dims = {p->k, p->n};
    p_dnnl_memory_desc_init_by_tag(&plain, 2, dims, type, dnnl_ba);
    dnnl_primitive_desc_t rpd;
    dnnl_primitive_t reorder;
    int ok = p_dnnl_reorder_primitive_desc_create(&rpd, &plain, engine, &p->md, engine, NULL) == dnnl_success;
    if (ok) {
        ok = p_dnnl_primitive_create(&reorder, rpd) == dnnl_success;
        p_dnnl_primitive_desc_destroy(rpd);
    }
    if (!ok) return 0;
    const int args[2] = {DNNL_ARG_FROM, DNNL_ARG_TO};
    const dnnl_memory_desc_t *mds[2] = {&plain, &p->md};
    void *buffers[2] = {(void *)w, p->data};
    pthread_mutex_lock(&run_lock);
    apply_threads();
    ok = execute(reorder, 2, args, mds, buffers);
    pthread_mutex_unlock(&run_lock);
    p_dnnl_primitive_destroy(reorder);
    return ok;
}
#endif

#if TK_HAVE_DNNL_HEADERS
// Finishes packing: the weights layout `pd` chose, W reordered into it; `p` freed on failure.
static tk_packed *packed(tk_packed *p, dnnl_primitive_desc_t pd, const void *w, dnnl_data_type_t type) {
    p->md = *p_dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0);
    p_dnnl_primitive_desc_destroy(pd);
    if (reorder_into(p, w, type)) return p;
    tk_dnnl_free(p);
    return NULL;
}
#endif

#if TK_HAVE_DNNL_HEADERS
// ---------------------------------------------------------------------------------------------
// int8 weights (--quantize int8): each output channel of W scaled to ±127 by its own max |w|
// (symmetric, per channel), and each row of x to ±127 by its own max |x| at every product
// (dynamic, per token). oneDNN multiplies s8 × s8 into s32 on VNNI and applies the channels'
// scales; the rows' scales are applied after.

static dnnl_status_t matmul_pd_s8(long m, long k, long n, const dnnl_memory_desc_t *weights, const float *scales,
                                  dnnl_primitive_desc_t *pd) {
    return matmul_pd_of(m, k, n, dnnl_s8, weights, 0, scales, pd);
}

typedef struct {
    const float *x;
    int8_t *q;
    float *scale, *y;
    long k, n;
} rows_job;

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
__attribute__((target("avx512f"))) static float absmax_avx512(const float *x, long k) {
    __m512 top = _mm512_setzero_ps();
    long c = 0;
    for (; c + 16 <= k; c += 16) top = _mm512_max_ps(top, _mm512_abs_ps(_mm512_loadu_ps(x + c)));
    float result = _mm512_reduce_max_ps(top);
    for (; c < k; c++) result = fabsf(x[c]) > result ? fabsf(x[c]) : result;
    return result;
}

// q = x · inv rounded to nearest even (lrintf's rounding under the default MXCSR).
__attribute__((target("avx512f"))) static void scale_to_s8_avx512(const float *x, long k, float inv, int8_t *q) {
    const __m512 vinv = _mm512_set1_ps(inv);
    long c = 0;
    for (; c + 16 <= k; c += 16)
        _mm_storeu_si128((__m128i *)(q + c),
                         _mm512_cvtepi32_epi8(_mm512_cvtps_epi32(_mm512_mul_ps(_mm512_loadu_ps(x + c), vinv))));
    for (; c < k; c++) q[c] = (int8_t)lrintf(x[c] * inv);
}
#endif

// x (k floats) to int8 at its own symmetric scale (max |x| → 127), which is returned.
static float quantize_s8(const float *x, long k, int8_t *q) {
#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
    if (tk_simd_level() == 2) {
        const float top = absmax_avx512(x, k), scale = top > 0 ? top / 127 : 1;
        scale_to_s8_avx512(x, k, 1 / scale, q);
        return scale;
    }
#endif
    float top = 0;
    for (long c = 0; c < k; c++) top = fabsf(x[c]) > top ? fabsf(x[c]) : top;
    const float scale = top > 0 ? top / 127 : 1, inv = 1 / scale;
    for (long c = 0; c < k; c++) q[c] = (int8_t)lrintf(x[c] * inv);
    return scale;
}

// Row i of x to int8 at its own scale.
static void quantize_row(void *context, long i) {
    const rows_job *j = context;
    j->scale[i] = quantize_s8(j->x + i * j->k, j->k, j->q + i * j->k);
}

// Row i of y times its row's scale.
static void rescale_row(void *context, long i) {
    const rows_job *j = context;
    float *yi = j->y + i * j->n;
    const float scale = j->scale[i];
    for (long c = 0; c < j->n; c++) yi[c] *= scale;
}

// K padded to 16·`per` when `md` (the k × n weights) is "BA16a64b2a" (`per` 2, bf16) or
// "BA16a64b4a" with the s8s8 compensation (`per` 4, int8), its blocks in the order the GEMV reads
// (64-column strips one after another, blocks of 16·per k within a strip); else 0.
static long gemv_layout(const dnnl_memory_desc_t *md, long k, long n, int per) {
    if (md->format_kind != dnnl_blocked || md->ndims != 2) return 0;
    const dnnl_blocking_desc_t *b = &md->format_desc.blocking;
    const long kp = md->padded_dims[0], np = md->padded_dims[1];
    if (b->inner_nblks != 3 || b->inner_blks[0] != 16 || b->inner_idxs[0] != 0 || b->inner_blks[1] != 64 ||
        b->inner_idxs[1] != 1 || b->inner_blks[2] != per || b->inner_idxs[2] != 0)
        return 0;
    if (kp % (16 * per) != 0 || np % 64 != 0 || kp < k || np < n || md->offset0 != 0) return 0;
    if (b->strides[0] != 16 * per * 64 || b->strides[1] != kp * 64) return 0;
    if (per == 4 && (md->extra.flags != dnnl_memory_extra_flag_compensation_conv_s8s8 || md->extra.compensation_mask != 2))
        return 0;
    if (per == 2 && md->extra.flags != dnnl_memory_extra_flag_none) return 0;
    return kp;
}

static int gemv_s8(const tk_packed *w, const float *x, long m, float *y);

static int linear_s8(const tk_packed *w, const float *x, long m, float *y) {
    const long k = w->k, n = w->n;
    if (m <= GEMV_MAX_ROWS && gemv_s8(w, x, m, y)) return 1;
    int8_t *src = malloc((size_t)m * (size_t)k);
    float *row_scale = malloc(sizeof(float) * (size_t)m);
    if (!src || !row_scale) {
        free(src), free(row_scale);
        return 0;
    }
    rows_job rows = {.x = x, .q = src, .scale = row_scale, .y = y, .k = k, .n = n};
    tk_parallel_for(m, quantize_row, &rows);
    int ok = 0;
    dnnl_primitive_desc_t pd;
    pthread_mutex_lock(&run_lock);
    apply_threads();
    if (matmul_pd_s8(m, k, n, &w->md, w->scales, &pd) == dnnl_success) {
        ok = run(pd, src, w->data, y, w);
        p_dnnl_primitive_desc_destroy(pd);
    }
    pthread_mutex_unlock(&run_lock);
    if (ok) tk_parallel_for(m, rescale_row, &rows);
    free(src), free(row_scale);
    return ok;
}
#endif

enum { WEIGHT_ROWS = 64 };

typedef struct {
    const uint16_t *w;
    int8_t *q;
    float *scales;
    long n, k;
    int failed;
} weights_job;

// Rows [index · 64, +64) of bf16 W to int8, each at its own scale.
static void quantize_weight_rows(void *context, long index) {
    weights_job *j = context;
    float *row = malloc(sizeof(float) * (size_t)j->k);
    if (!row) {
        __atomic_store_n(&j->failed, 1, __ATOMIC_RELAXED);
        return;
    }
    for (long r = index * WEIGHT_ROWS; r < j->n && r < (index + 1) * WEIGHT_ROWS; r++) {
        tk_half_to_f32(j->w + r * j->k, 1, row, j->k);
        j->scales[r] = quantize_s8(row, j->k, j->q + r * j->k);
    }
    free(row);
}

tk_packed *tk_dnnl_pack_s8(const uint16_t *w, long n, long k) {
#if TK_HAVE_DNNL_HEADERS
    if (!tk_dnnl_available() || n <= 0 || k <= 0) return NULL;
    tk_packed *p = calloc(1, sizeof *p);
    int8_t *plain = malloc((size_t)n * (size_t)k);
    if (!p || !plain || !(p->scales = malloc(sizeof(float) * (size_t)n))) {
        if (p) free(p->scales);
        free(p), free(plain);
        return NULL;
    }
    weights_job job = {.w = w, .q = plain, .scales = p->scales, .n = n, .k = k};
    tk_parallel_for((n + WEIGHT_ROWS - 1) / WEIGHT_ROWS, quantize_weight_rows, &job);
    if (job.failed) {
        free(p->scales), free(p), free(plain);
        return NULL;
    }
    p->n = n;
    p->k = k;
    dnnl_primitive_desc_t pd;
    p = matmul_pd_s8(256, k, n, NULL, p->scales, &pd) == dnnl_success ? packed(p, pd, plain, dnnl_s8) : (tk_dnnl_free(p), NULL);
    free(plain);
    if (p) p->gemv_k = gemv_layout(&p->md, k, n, 4), p->gemv_n = p->md.padded_dims[1];
    return p;
#else
    (void)w, (void)n, (void)k;
    return NULL;
#endif
}

tk_packed *tk_dnnl_pack_bf16(const uint16_t *w, long n, long k) {
#if TK_HAVE_DNNL_HEADERS
    if (!tk_dnnl_available() || n <= 0 || k <= 0) return NULL;
    // The layout the kernel picks for a prefill-sized product; smaller and larger ones accept it.
    dnnl_primitive_desc_t pd;
    tk_packed *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    p->n = n;
    p->k = k;
    p = matmul_pd(256, k, n, NULL, 0, &pd) == dnnl_success ? packed(p, pd, w, dnnl_bf16) : (tk_dnnl_free(p), NULL);
    if (p) p->gemv_k = gemv_layout(&p->md, k, n, 2), p->gemv_n = p->md.padded_dims[1];
    return p;
#else
    (void)w, (void)n, (void)k;
    return NULL;
#endif
}

void tk_dnnl_free(tk_packed *p) {
    if (!p) return;
#if TK_HAVE_DNNL_HEADERS
    free(p->data);
    free(p->scales);
#endif
    free(p);
}

size_t tk_dnnl_packed_bytes(const tk_packed *p) {
#if TK_HAVE_DNNL_HEADERS
    return p ? p->bytes : 0;
#else
    (void)p;
    return 0;
#endif
}

#if TK_HAVE_DNNL_HEADERS
#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>
#define TK_GEMV_X86 1

enum { GEMV_ROWS = 4 };

typedef struct {
    const tk_packed *w;
    const uint32_t *xp;  // rows × (gemv_k / 2) bf16 pairs of x (hi rows, then lo rows when split),
                         // or rows × (gemv_k / 4) int8 quads of x biased to u8 (x + 128)
    const float *xscale; // int8: each row's scale
    long rows, m;        // pair rows, rows of y (rows = 2m when split, else m)
    float *y;
} gemv_job;

// One 64-column strip of y for every row: 4 × 16 columns, the rows' bf16 pairs broadcast against
// the strip's weights, GEMV_ROWS rows a pass over the strip; a split row's lo half adds into its
// hi half's sums.
__attribute__((target("avx512f,avx512bf16"))) static void gemv_strip(void *context, long strip) {
    const gemv_job *g = context;
    const long kp = g->w->gemv_k, pairs = kp / 2, n = g->w->n;
    const uint16_t *base = (const uint16_t *)g->w->data + strip * kp * 64;
    const long split = g->rows > g->m;
    for (long r0 = 0; r0 < g->m; r0 += split ? GEMV_ROWS / 2 : GEMV_ROWS) {
        const long out = (split ? GEMV_ROWS / 2 : GEMV_ROWS) < g->m - r0 ? (split ? GEMV_ROWS / 2 : GEMV_ROWS) : g->m - r0;
        const long count = split ? 2 * out : out;  // pair rows in this pass
        const uint32_t *x[GEMV_ROWS];
        for (long i = 0; i < count; i++) x[i] = g->xp + ((i < out ? r0 + i : g->m + r0 + i - out)) * pairs;
        __m512 acc[GEMV_ROWS][4];
        for (int i = 0; i < GEMV_ROWS; i++)
            for (int j = 0; j < 4; j++) acc[i][j] = _mm512_setzero_ps();
        for (long p = 0; p < pairs; p++) {
            const uint16_t *wp = base + (p / 16) * 2048 + (p % 16) * 128;
            // 4 KB ahead in the strip (its weights lie in a row): the lines arrive before they are read.
            for (int line = 0; line < 4; line++) _mm_prefetch((const char *)(wp + 2048 + 32 * line), _MM_HINT_T0);
            const __m512bh w0 = (__m512bh)_mm512_loadu_si512(wp), w1 = (__m512bh)_mm512_loadu_si512(wp + 32),
                           w2 = (__m512bh)_mm512_loadu_si512(wp + 64), w3 = (__m512bh)_mm512_loadu_si512(wp + 96);
            for (int i = 0; i < GEMV_ROWS; i++) {
                if (i >= count) break;
                const __m512bh xb = (__m512bh)_mm512_set1_epi32((int)x[i][p]);
                acc[i][0] = _mm512_dpbf16_ps(acc[i][0], xb, w0);
                acc[i][1] = _mm512_dpbf16_ps(acc[i][1], xb, w1);
                acc[i][2] = _mm512_dpbf16_ps(acc[i][2], xb, w2);
                acc[i][3] = _mm512_dpbf16_ps(acc[i][3], xb, w3);
            }
        }
        for (long i = 0; i < out; i++) {
            float *yr = g->y + (r0 + i) * n + strip * 64;
            for (int j = 0; j < 4; j++) {
                __m512 v = split ? _mm512_add_ps(acc[i][j], acc[i + out][j]) : acc[i][j];
                const long left = n - strip * 64 - j * 16;
                if (left <= 0) break;
                const __mmask16 mask = left >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << left) - 1);
                _mm512_mask_storeu_ps(yr + j * 16, mask, v);
            }
        }
    }
}

// Products of few rows on CPUs whose bf16 dot product is slow (on_fma), when the GEMV above would
// need more than one pass (more than 4 rows, or 2 split): f32 FMAs on the strips, each pair of
// bf16 weights turned into two f32 vectors (a shift and a mask: exact), x in f32 — rounded to
// bf16 first in bf16 precision — so f32 needs no hi + lo split and 8 rows (a speculative check)
// cost little more than one: the strip is read from memory once, each half of its 64 columns in
// turn, 8 rows × 32 columns of sums in registers (on the Intel host, 8 rows of a 13696 × 4096
// matrix: f32 12.0 → 5.6 ms, bf16 6.7 → 5.5; one row 3.5–4.1 ms).
typedef struct {
    const tk_packed *w;
    const float *xf;  // m × gemv_k f32, zero past k
    long m;
    float *y;
} fma_gemv_job;

__attribute__((target("avx512f"))) static void gemv_strip_fma(void *context, long strip) {
    const fma_gemv_job *g = context;
    const long kp = g->w->gemv_k, pairs = kp / 2, n = g->w->n;
    const uint16_t *base = (const uint16_t *)g->w->data + strip * kp * 64;
    const __m512i high = _mm512_set1_epi32((int)0xffff0000u);
    for (long r0 = 0; r0 < g->m; r0 += GEMV_MAX_ROWS) {
        const long count = GEMV_MAX_ROWS < g->m - r0 ? GEMV_MAX_ROWS : g->m - r0;
        const float *x = g->xf + r0 * kp;
        for (int half = 0; half < 2; half++) {
            __m512 acc[GEMV_MAX_ROWS][2];
            for (int i = 0; i < GEMV_MAX_ROWS; i++) acc[i][0] = acc[i][1] = _mm512_setzero_ps();
            for (long p = 0; p < pairs; p++) {
                const uint16_t *wp = base + p * 128 + half * 64;
                // 4 KB ahead in the strip; the first half's sweep fetches the second half's lines too.
                _mm_prefetch((const char *)(wp + 2048), _MM_HINT_T0);
                _mm_prefetch((const char *)(wp + 2048 + 32), _MM_HINT_T0);
                if (!half) {
                    _mm_prefetch((const char *)(wp + 2048 + 64), _MM_HINT_T1);
                    _mm_prefetch((const char *)(wp + 2048 + 96), _MM_HINT_T1);
                }
                const __m512i v0 = _mm512_loadu_si512(wp), v1 = _mm512_loadu_si512(wp + 32);
                const __m512 e0 = _mm512_castsi512_ps(_mm512_slli_epi32(v0, 16));
                const __m512 o0 = _mm512_castsi512_ps(_mm512_and_si512(v0, high));
                const __m512 e1 = _mm512_castsi512_ps(_mm512_slli_epi32(v1, 16));
                const __m512 o1 = _mm512_castsi512_ps(_mm512_and_si512(v1, high));
                for (int i = 0; i < GEMV_MAX_ROWS; i++) {
                    if (i >= count) break;
                    const __m512 x0 = _mm512_set1_ps(x[i * kp + 2 * p]), x1 = _mm512_set1_ps(x[i * kp + 2 * p + 1]);
                    acc[i][0] = _mm512_fmadd_ps(x0, e0, acc[i][0]);
                    acc[i][1] = _mm512_fmadd_ps(x0, e1, acc[i][1]);
                    acc[i][0] = _mm512_fmadd_ps(x1, o0, acc[i][0]);
                    acc[i][1] = _mm512_fmadd_ps(x1, o1, acc[i][1]);
                }
            }
            for (long i = 0; i < count; i++) {
                float *yr = g->y + (r0 + i) * n + strip * 64 + half * 32;
                for (int j = 0; j < 2; j++) {
                    const long left = n - strip * 64 - half * 32 - j * 16;
                    if (left <= 0) break;
                    const __mmask16 mask = left >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << left) - 1);
                    _mm512_mask_storeu_ps(yr + j * 16, mask, acc[i][j]);
                }
            }
        }
    }
}

// The same for int8 weights: the rows' u8 quads against the strip's s8 weights on vpdpbusd,
// then the compensation (−128·Σk w) takes the bias off, and the row's and column's scales apply.
__attribute__((target("avx512f,avx512vnni"))) static void gemv_strip_s8(void *context, long strip) {
    const gemv_job *g = context;
    const long kp = g->w->gemv_k, quads = kp / 4, n = g->w->n;
    const int8_t *base = (const int8_t *)g->w->data + strip * kp * 64;
    const int32_t *comp = (const int32_t *)((const char *)g->w->data + kp * g->w->gemv_n) + strip * 64;
    for (long r0 = 0; r0 < g->m; r0 += GEMV_ROWS) {
        const long count = GEMV_ROWS < g->m - r0 ? GEMV_ROWS : g->m - r0;
        __m512i acc[GEMV_ROWS][4];
        for (int i = 0; i < GEMV_ROWS; i++)
            for (int j = 0; j < 4; j++) acc[i][j] = _mm512_setzero_si512();
        for (long p = 0; p < quads; p++) {
            const int8_t *wp = base + (p / 16) * 4096 + (p % 16) * 256;
            for (int line = 0; line < 4; line++) _mm_prefetch((const char *)(wp + 4096 + 64 * line), _MM_HINT_T0);
            const __m512i w0 = _mm512_loadu_si512(wp), w1 = _mm512_loadu_si512(wp + 64), w2 = _mm512_loadu_si512(wp + 128),
                          w3 = _mm512_loadu_si512(wp + 192);
            for (int i = 0; i < GEMV_ROWS; i++) {
                if (i >= count) break;
                const __m512i xb = _mm512_set1_epi32((int)g->xp[(r0 + i) * quads + p]);
                acc[i][0] = _mm512_dpbusd_epi32(acc[i][0], xb, w0);
                acc[i][1] = _mm512_dpbusd_epi32(acc[i][1], xb, w1);
                acc[i][2] = _mm512_dpbusd_epi32(acc[i][2], xb, w2);
                acc[i][3] = _mm512_dpbusd_epi32(acc[i][3], xb, w3);
            }
        }
        for (long i = 0; i < count; i++) {
            float *yr = g->y + (r0 + i) * n + strip * 64;
            const __m512 xs = _mm512_set1_ps(g->xscale[r0 + i]);
            for (int j = 0; j < 4; j++) {
                const long left = n - strip * 64 - j * 16;
                if (left <= 0) break;
                const __mmask16 mask = left >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << left) - 1);
                const __m512i sum = _mm512_add_epi32(acc[i][j], _mm512_loadu_si512(comp + j * 16));
                const __m512 ws = _mm512_maskz_loadu_ps(mask, g->w->scales + strip * 64 + j * 16);
                _mm512_mask_storeu_ps(yr + j * 16, mask, _mm512_mul_ps(_mm512_cvtepi32_ps(sum), _mm512_mul_ps(ws, xs)));
            }
        }
    }
}
#endif

// y = x · W for few rows on the packed int8 weights: each row quantized as linear_s8 does (per
// row, symmetric), one pass over the weights per GEMV_ROWS rows. 0 when this CPU or layout cannot.
static int gemv_s8(const tk_packed *w, const float *x, long m, float *y) {
#if TK_GEMV_X86
    static int has = -1;
    if (has < 0) has = __builtin_cpu_supports("avx512vnni") ? 1 : 0;
    if (!has || !w->gemv_k || !atomic_load(&gemv_allowed)) return 0;
    const long quads = w->gemv_k / 4;
    uint32_t *xp = malloc((size_t)m * (size_t)quads * sizeof(uint32_t));
    float *xscale = malloc(sizeof(float) * (size_t)m);
    if (!xp || !xscale) {
        free(xp), free(xscale);
        return 0;
    }
    for (long i = 0; i < m; i++) {
        const float *xi = x + i * w->k;
        float top = 0;
        for (long c = 0; c < w->k; c++) top = fabsf(xi[c]) > top ? fabsf(xi[c]) : top;
        const float scale = top > 0 ? top / 127 : 1, inv = 1 / scale;
        xscale[i] = scale;
        // Past k, x is 0: the bias alone (128), which the padded zero weights cancel.
        for (long q = 0; q < quads; q++) {
            uint32_t word = 0;
            for (int b = 0; b < 4; b++) {
                const long c = 4 * q + b;
                const int value = c < w->k ? (int)lrintf(xi[c] * inv) : 0;
                word |= (uint32_t)(uint8_t)(value + 128) << (8 * b);
            }
            xp[i * quads + q] = word;
        }
    }
    gemv_job job = {.w = w, .xp = xp, .xscale = xscale, .rows = m, .m = m, .y = y};
    tk_parallel_for((w->n + 63) / 64, gemv_strip_s8, &job);
    free(xp), free(xscale);
    return 1;
#else
    (void)w, (void)x, (void)m, (void)y;
    return 0;
#endif
}

typedef struct {
    const float *x;
    uint16_t *hi, *lo;
    long k;
} split_job;

// Row i of x as bf16 (hi), and what bf16 missed (lo) when asked.
static void split_row(void *context, long i) {
    const split_job *j = context;
    const float *xi = j->x + i * j->k;
    uint16_t *hi = j->hi + i * j->k, *lo = j->lo ? j->lo + i * j->k : NULL;
    for (long c = 0; c < j->k; c++) {
        const uint16_t h = to_bf16(xi[c]);
        hi[c] = h;
        if (lo) lo[c] = to_bf16(xi[c] - from_bf16(h));
    }
}
#endif

#if TK_HAVE_DNNL_HEADERS
// y = x · W for few rows on the packed bf16 weights, one pass over them per GEMV_ROWS rows (half
// as many when split): the weights stream from memory at its speed, which oneDNN's small-M
// kernel does not reach. 0 when this CPU or layout cannot.
static int on_fma(int split);

static int gemv_bf16(const tk_packed *w, const float *x, long m, float *y, int split) {
#if TK_GEMV_X86
    static int has = -1;
    if (has < 0) has = __builtin_cpu_supports("avx512bf16") ? 1 : 0;
    if (!w->gemv_k || !atomic_load(&gemv_allowed)) return 0;
    // Where bf16 dot products are slow, rows that would take the dot product's GEMV more than one
    // pass over the weights run on FMAs; one pass's worth stays (it streams the strips faster).
    const int passes = (int)(((split ? 2 * m : m) + GEMV_ROWS - 1) / GEMV_ROWS);
    if (tk_simd_level() == 2 && on_fma(split) && (passes > 1 || !has)) {
        const long kp = w->gemv_k;
        float *xf = aligned_alloc(64, (sizeof(float) * (size_t)(m * kp) + 63) / 64 * 64);
        if (!xf) return 0;
        for (long i = 0; i < m; i++)
            for (long c = 0; c < kp; c++) {
                const float v = c < w->k ? x[i * w->k + c] : 0;
                xf[i * kp + c] = split ? v : from_bf16(to_bf16(v));
            }
        fma_gemv_job job = {.w = w, .xf = xf, .m = m, .y = y};
        tk_parallel_for((w->n + 63) / 64, gemv_strip_fma, &job);
        free(xf);
        return 1;
    }
    if (!has) return 0;
    const long pairs = w->gemv_k / 2, rows = split ? 2 * m : m;
    uint32_t *xp = calloc((size_t)rows * (size_t)pairs, sizeof(uint32_t));
    if (!xp) return 0;
    for (long i = 0; i < m; i++)
        for (long c = 0; c < w->k; c++) {
            const uint16_t h = to_bf16(x[i * w->k + c]);
            xp[i * pairs + c / 2] |= (uint32_t)h << (16 * (c % 2));
            if (split) xp[(m + i) * pairs + c / 2] |= (uint32_t)to_bf16(x[i * w->k + c] - from_bf16(h)) << (16 * (c % 2));
        }
    gemv_job job = {.w = w, .xp = xp, .rows = rows, .m = m, .y = y};
    tk_parallel_for((w->n + 63) / 64, gemv_strip, &job);
    free(xp);
    return 1;
#else
    (void)w, (void)x, (void)m, (void)y, (void)split;
    return 0;
#endif
}
#endif

int tk_dnnl_gemv_layout(const tk_packed *w) {
#if TK_HAVE_DNNL_HEADERS
    return w && w->gemv_k > 0;
#else
    (void)w;
    return 0;
#endif
}

// ---------------------------------------------------------------------------------------------
// Products of many rows on CPUs whose bf16 dot product is slow: there oneDNN's bf16 products run
// at that slow rate, and the two of the hi + lo split (f32) at half of it, so products of more
// than GEMV_MAX_ROWS rows on weights in the strip layout run Tether's f32-FMA kernel
// (strip_product.c) instead — f32 products of f32 activations, as transformers computes, and with
// x rounded to bf16 first in bf16 precision. Which path is faster is measured once: a short run of
// vdpbf16ps and one of f32 FMAs on this thread.

static atomic_int f32_mode = -1;  // -1: measure; else fma_paths' bits

#if TK_HAVE_DNNL_HEADERS

#if TK_GEMV_X86
static double seconds_now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

// Multiply-adds a second of 12 independent chains of one instruction, over ~20 µs: short enough
// that most runs see no preemption on a loaded machine, so the best of many is the CPU's rate.
__attribute__((target("avx512f,avx512bf16"), noinline)) static double bf16_dot_rate(void) {
    __m512 acc[12];
    for (int i = 0; i < 12; i++) acc[i] = _mm512_setzero_ps();
    __m512bh a = (__m512bh)_mm512_set1_epi16(0x3f80);
    const long iterations = 10000;
    const double start = seconds_now();
    for (long it = 0; it < iterations; it++) {
        for (int i = 0; i < 12; i++) acc[i] = _mm512_dpbf16_ps(acc[i], a, a);
        __asm__ volatile("" : "+v"(a));
    }
    const double took = seconds_now() - start;
    volatile float sink = 0;
    for (int i = 0; i < 12; i++) sink += _mm512_reduce_add_ps(acc[i]);
    return iterations * 12.0 * 32 / took;
}

__attribute__((target("avx512f"), noinline)) static double f32_fma_rate(void) {
    __m512 acc[12];
    for (int i = 0; i < 12; i++) acc[i] = _mm512_setzero_ps();
    __m512 a = _mm512_set1_ps(1e-9f);
    const long iterations = 10000;
    const double start = seconds_now();
    for (long it = 0; it < iterations; it++) {
        for (int i = 0; i < 12; i++) acc[i] = _mm512_fmadd_ps(a, a, acc[i]);
        __asm__ volatile("" : "+v"(a));
    }
    const double took = seconds_now() - start;
    volatile float sink = 0;
    for (int i = 0; i < 12; i++) sink += _mm512_reduce_add_ps(acc[i]);
    return iterations * 12.0 * 16 / took;
}
#endif

// Bit 0: f32 products (split) run the f32-FMA kernel — the bf16 dot product does fewer than 1.5×
// the multiply-adds of an f32 FMA a second (the split needs two bf16 products; on AMD Zen 4 it
// does ~2.7×, on the Intel Xeon of docs/benchmarks.md 0.55×); bit 1: bf16 products do too — it
// does fewer than 0.8× (the kernel reaches ~80 % of the FMA's peak). CPUs with AVX-512 but not
// its bf16 instructions take both; without AVX-512, neither. Best of 30 interleaved measurements
// each (~1 ms in all).
static int fma_paths(void) {
    int mode = atomic_load(&f32_mode);
    if (mode >= 0) return mode;
#if TK_GEMV_X86
    if (!__builtin_cpu_supports("avx512f")) {
        mode = 0;
    } else if (!__builtin_cpu_supports("avx512bf16")) {
        mode = 3;
    } else {
        double bf16 = 0, fma = 0;
        for (int i = 0; i < 30; i++) {
            const double b = bf16_dot_rate(), f = f32_fma_rate();
            bf16 = b > bf16 ? b : bf16;
            fma = f > fma ? f : fma;
        }
        mode = (bf16 < 1.5 * fma ? 1 : 0) | (bf16 < 0.8 * fma ? 2 : 0);
    }
#else
    mode = 0;
#endif
    atomic_store(&f32_mode, mode);
    return mode;
}

static int on_fma(int split) { return (fma_paths() >> (split ? 0 : 1)) & 1; }

#endif

void tk_dnnl_set_products_on_fma(int mode) { atomic_store(&f32_mode, mode < 0 ? -1 : (mode > 0 ? 3 : 0)); }

int tk_dnnl_products_on_fma(int split) {
#if TK_HAVE_DNNL_HEADERS
    return on_fma(split);
#else
    (void)split;
    return 0;
#endif
}

void tk_dnnl_allow_gemv(int allowed) {
#if TK_HAVE_DNNL_HEADERS
    atomic_store(&gemv_allowed, allowed != 0);
#else
    (void)allowed;
#endif
}

int tk_dnnl_linear(const tk_packed *w, const float *x, long m, float *y, int split) {
#if TK_HAVE_DNNL_HEADERS
    if (!w || m <= 0) return 0;
    if (w->scales) return linear_s8(w, x, m, y);
    if (m <= GEMV_MAX_ROWS && gemv_bf16(w, x, m, y, split)) return 1;
    // Without memory for its copy of x, oneDNN's product below still can (it needs less).
    if (m > GEMV_MAX_ROWS && w->gemv_k && on_fma(split) && tk_strips_f32_product(w->data, w->gemv_k, w->n, w->k, x, m, y, !split))
        return 1;
    const long k = w->k, n = w->n;
    // Few rows (decoding): hi and lo stacked as 2m rows, one pass over the weights, halves added.
    // Many rows: two products, the second adding into y, so no 2m × n scratch is needed.
    const int stacked = split && m <= 32;
    const long rows = stacked ? 2 * m : m;
    uint16_t *src = malloc((size_t)rows * (size_t)k * sizeof(uint16_t));
    uint16_t *lo = (split && !stacked) ? malloc((size_t)m * (size_t)k * sizeof(uint16_t)) : NULL;
    float *scratch = stacked ? malloc((size_t)rows * (size_t)n * sizeof(float)) : NULL;
    if (!src || (split && !stacked && !lo) || (stacked && !scratch)) {
        free(src), free(lo), free(scratch);
        return 0;
    }
    uint16_t *lo_rows = stacked ? src + (size_t)m * (size_t)k : lo;
    split_job parts = {.x = x, .hi = src, .lo = split ? lo_rows : NULL, .k = k};
    tk_parallel_for(m, split_row, &parts);
    int ok = 0;
    dnnl_primitive_desc_t pd;
    pthread_mutex_lock(&run_lock);
    apply_threads();
    if (matmul_pd(rows, k, n, &w->md, 0, &pd) == dnnl_success) {
        ok = run(pd, src, w->data, stacked ? scratch : y, w);
        p_dnnl_primitive_desc_destroy(pd);
    }
    if (ok && split && !stacked) {
        ok = 0;
        if (matmul_pd(m, k, n, &w->md, 1, &pd) == dnnl_success) {
            ok = run(pd, lo, w->data, y, w);
            p_dnnl_primitive_desc_destroy(pd);
        }
    }
    pthread_mutex_unlock(&run_lock);
    if (ok && stacked) {
        const float *top = scratch, *bottom = scratch + (size_t)m * (size_t)n;
        for (long i = 0; i < m * n; i++) y[i] = top[i] + bottom[i];
    }
    free(src), free(lo), free(scratch);
    return ok;
#else
    (void)w, (void)x, (void)m, (void)y, (void)split;
    return 0;
#endif
}

const char *tk_dnnl_implementation(const tk_packed *w, long m) {
#if TK_HAVE_DNNL_HEADERS
    static __thread char name[128];
    dnnl_primitive_desc_t pd;
    if (!w) return "none";
    dnnl_status_t s = w->scales ? matmul_pd_s8(m, w->k, w->n, &w->md, w->scales, &pd) : matmul_pd(m, w->k, w->n, &w->md, 0, &pd);
    if (s != dnnl_success) return "none";
    const char *impl = "?";
    p_dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &impl);
    snprintf(name, sizeof name, "%s", impl);
    p_dnnl_primitive_desc_destroy(pd);
    return name;
#else
    (void)w, (void)m;
    return "none";
#endif
}
