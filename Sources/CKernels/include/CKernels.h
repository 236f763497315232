#ifndef TETHER_CKERNELS_H
#define TETHER_CKERNELS_H
#include <stddef.h>
#include <stdint.h>

/// y[i*ldy + r] = dot(W row r, x row i) for rows r in [r0, r1) and i in [0, m).
/// W is n × k of bf16 (`is_bf16` = 1) or IEEE f16 (0), row-major; x is m × k f32.
void tk_gemv_half(const uint16_t *w, int is_bf16, long k, const float *x, long m,
                  float *y, long ldy, long r0, long r1);

/// out[i] = (float)in[i] for n bf16 (`is_bf16` = 1) or f16 (0) values.
void tk_half_to_f32(const uint16_t *in, int is_bf16, float *out, long n);

/// oneDNN's bf16 matmul (dnnl_matmul.c), opened on first use. 1 when it is there and has a kernel
/// for this CPU that is not its reference loop; `TETHER_NO_ONEDNN=1` switches it off.
int tk_dnnl_available(void);
/// What was found: "oneDNN <implementation>" or why it is not used.
const char *tk_dnnl_status(void);
/// Threads of oneDNN's OpenMP team for every later product, on any thread.
void tk_dnnl_set_threads(int threads);

/// Sets what OpenBLAS and oneDNN's OpenMP read from the environment when they are opened
/// (environment.c); once, before the first of them.
void tk_prepare_environment(void);

/// The compute pool (pool.c): `fn(ctx, i)` for i in [0, count), spread over its threads and the
/// caller's; returns when all are done. Called from inside a task, it runs the loop inline.
typedef void (*tk_task_fn)(void *ctx, long index);
void tk_parallel_for(long count, tk_task_fn fn, void *ctx);
/// Threads of the pool, the caller's included (default: every core).
int tk_pool_threads(void);
void tk_pool_set_threads(int threads);
/// Makes glibc keep freed blocks of up to 1 GB in one arena for reuse instead of returning them
/// to the kernel (pool.c says why). Process-wide; the engine calls it when a model loads.
void tk_keep_freed_memory(void);

/// C (m × n, leading dimension ldc) = A (m × k) · Bᵀ, B n × k: OpenBLAS on column blocks over the pool.
void tk_sgemm_nt(const float *a, long m, long k, const float *b, long n, float *c, long ldc);
/// tk_gemv_half for all n rows of W, over the pool.
void tk_gemv_half_parallel(const uint16_t *w, int is_bf16, long k, const float *x, long m, float *y, long n);

/// Attention for one sequence (attention.c): q (mq × heads·hd, row stride q_stride), k and v
/// (mk × kv_heads·hd, row stride kv_stride) → out (mq × heads·hd, row stride out_stride).
/// Query i sees keys 0…i + causal_offset when `causal`, all otherwise; head h reads KV head
/// h / (heads / kv_heads). Tiled with an online softmax, over the pool; more than 8 queries run
/// f32 FMAs on AVX-512 (keys packed first). Returns 0, or −1 when a thread's scratch (~160 KB)
/// could not be allocated (its rows are then not written).
int tk_attention(const float *q, long mq, long q_stride, const float *k, const float *v, long mk, long kv_stride,
                 int heads, int kv_heads, int head_dim, int causal, long causal_offset, float *out,
                 long out_stride);
/// The same in bf16 (q, k, v and the softmax weights rounded, f32 sums) on AVX-512 BF16, or on f32
/// FMAs where its bf16 dot product is slow (tk_dnnl_products_on_fma(0)); 0 when this CPU or head
/// size (a multiple of 32 is needed) cannot, and nothing was written; −1 when
/// memory ran out part way; 1 when done. `int8_scores`: Q·Kᵀ from int8 queries (per row) and
/// int8 keys less their mean (per key) on AVX-512 VNNI where the CPU has it; P·V then in fp16
/// where the CPU has AVX512-FP16 and the head size is a multiple of 128, bf16 otherwise.
int tk_attention_bf16(const float *q, long mq, long q_stride, const float *k, const float *v, long mk, long kv_stride,
                      int heads, int kv_heads, int head_dim, int causal, long causal_offset, float *out,
                      long out_stride, int int8_scores);

/// For tests: whether int8-score attention may run P·V in fp16 where the CPU has AVX512-FP16
/// (default 1; 0 makes it bf16).
void tk_attention_allow_fp16(int allowed);

/// A weight matrix W (n × k) reordered once into the kernel's layout.
typedef struct tk_packed tk_packed;
/// Packs bf16 W (n × k, row-major); NULL when oneDNN is unavailable or refuses the shape.
tk_packed *tk_dnnl_pack_bf16(const uint16_t *w, long n, long k);
/// Quantizes bf16 W to int8, per output channel (symmetric, max |w| → 127), and packs it; the
/// products then quantize each row of x the same way (dynamic, per token) and multiply on VNNI.
tk_packed *tk_dnnl_pack_s8(const uint16_t *w, long n, long k);
void tk_dnnl_free(tk_packed *packed);
size_t tk_dnnl_packed_bytes(const tk_packed *packed);
/// y (m × n) = x (m × k) · Wᵀ in f32. `split` = 1 carries x as two bf16 parts (f32 accuracy),
/// 0 rounds it to bf16 (int8 weights ignore it). Returns 0 when oneDNN failed (y is then undefined).
int tk_dnnl_linear(const tk_packed *packed, const float *x, long m, float *y, int split);
/// For tests: whether products of few rows (≤ 8) may run Tether's GEMV on the packed weights
/// (default 1) or must run oneDNN's kernel.
void tk_dnnl_allow_gemv(int allowed);
/// Whether f32 FMAs stand in for the bf16 dot product — `split` 1 for f32 products, 0 for bf16
/// ones: where this CPU's bf16 dot product is slow against its f32 FMA (measured once, fma_paths.c).
/// Then products of many rows on packed bf16 weights run tk_strips_f32_product instead of oneDNN's
/// bf16 products, the GEMV's rows past one pass its FMA form, and (split 0) bf16 attention its FMA
/// kernels. Tests set it (−1: measure, 0: never, 1: always).
int tk_dnnl_products_on_fma(int split);
void tk_dnnl_set_products_on_fma(int mode);
/// y (m × n) = x (m × k) · Wᵀ with f32 FMAs (AVX-512) on bf16 W in the strip layout the GEMV reads:
/// strips of 64 columns, each kp × 64 values holding for every pair of k the 64 columns' two
/// weights side by side (kp ≥ k, even; W zero past k). `round_x` = 1 rounds x to bf16 first.
/// 0 when this CPU has no AVX-512 or memory ran out (y then undefined).
int tk_strips_f32_product(const uint16_t *strips, long kp, long n, long k, const float *x, long m, float *y,
                          int round_x);
/// 1 when W is in a packed layout the GEMV reads ("BA16a64b2a" bf16, "BA16a64b4a" int8).
int tk_dnnl_gemv_layout(const tk_packed *packed);
/// The implementation oneDNN picks for m rows, e.g. "brg:avx512_core_bf16".
const char *tk_dnnl_implementation(const tk_packed *packed, long m);

/// The widest vector instructions the engine's C kernels use (simd.c): 2 AVX-512, 1 AVX2 + FMA,
/// 0 portable C — what this CPU has, at most the limit tests set with tk_limit_simd.
int tk_simd_level(void);
void tk_limit_simd(int level);

/// Row-wise work over the pool (elementwise.c). y may be x.
/// RMSNorm of rows of width d: y = w ⊙ x / sqrt(mean(x²) + eps).
void tk_rms_norm(const float *x, float *y, long rows, long d, const float *w, float eps);
/// LayerNorm of rows of width d: y = (x − mean) / sqrt(var + eps) ⊙ w + b.
void tk_layer_norm(const float *x, float *y, long rows, long d, const float *w, const float *b, float eps);
/// out (rows × width) = up ⊙ silu(gate), gate and up rows `gate_stride` and `up_stride` apart.
void tk_silu_mul(const float *gate, long gate_stride, const float *up, long up_stride, float *out, long rows,
                 long width);
/// x = 0.5 · x · (1 + erf(x / √2)) in place.
void tk_gelu_erf(float *x, long rows, long width);
/// a += b, both rows × width.
void tk_add(float *a, const float *b, long rows, long width);
/// Each row of y (rows × width) += bias.
void tk_add_bias(float *y, long rows, long width, const float *bias);
/// Rotate-half rotary on every head (whole head width) of rows `stride` floats apart; cos and sin
/// are rows × head_dim/2.
void tk_rope_half(float *x, long rows, long stride, int heads, int head_dim, const float *cos, const float *sin);
/// Interleaved-pair rotary on the first 2·pairs floats of every head; cos and sin are rows × pairs.
void tk_rope_pairs(float *x, long rows, long stride, int heads, int head_dim, int pairs, const float *cos,
                   const float *sin);
/// out[t·d·merge + c·merge + q] = x[(t·merge + q)·d + c] for each of `tokens` groups of `merge` rows.
void tk_merge_gather(const float *x, long tokens, long merge, long d, float *out);
/// Row r of y (rows × d) += Σ over t < taps of weight[r·taps + t] · table row index[r·taps + t].
void tk_add_weighted_rows(float *y, long rows, long d, const float *table, const int32_t *index, const float *weight,
                          int taps);

#endif
