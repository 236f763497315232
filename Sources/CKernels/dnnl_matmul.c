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
// Products of 1–8 rows run Tether's GEMV on the packed weights instead (gemv.c), and where this
// CPU's bf16 dot product is slow (fma_paths.c) those of more rows Tether's f32-FMA kernel
// (strip_product.c).
#include "bf16.h"
#include "packed.h"

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


static char status_text[256] = "oneDNN not loaded yet";

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
float tk_quantize_s8(const float *x, long k, int8_t *q) {
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
    j->scale[i] = tk_quantize_s8(j->x + i * j->k, j->k, j->q + i * j->k);
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

static int linear_s8(const tk_packed *w, const float *x, long m, float *y) {
    const long k = w->k, n = w->n;
    if (m <= GEMV_MAX_ROWS && tk_packed_gemv_s8(w, x, m, y)) return 1;
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
        j->scales[r] = tk_quantize_s8(row, j->k, j->q + r * j->k);
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




int tk_dnnl_linear(const tk_packed *w, const float *x, long m, float *y, int split) {
#if TK_HAVE_DNNL_HEADERS
    if (!w || m <= 0) return 0;
    if (w->scales) return linear_s8(w, x, m, y);
    if (m <= GEMV_MAX_ROWS && tk_packed_gemv_bf16(w, x, m, y, split)) return 1;
    // Without memory for its copy of x, oneDNN's product below still can (it needs less).
    if (m > GEMV_MAX_ROWS && w->gemv_k && tk_dnnl_products_on_fma(split) && tk_strips_f32_product(w->data, w->gemv_k, w->n, w->k, x, m, y, !split))
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
