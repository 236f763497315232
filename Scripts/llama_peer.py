"""llama.cpp as Scripts/bench-engine's decoding peer: the GLM-4.1V-9B text decoder's shapes in Q8_0.

Writes (once) a GGUF of llama.cpp's `glm4` architecture — the decoder of GLM-4.1V / AutoGLM-Phone-9B:
hidden 4096, MLP 13696 (gate and up fused), 32 query heads over 2 KV heads of 128, q/k/v biases,
four RMSNorms a layer, vocabulary 151552 — with LAYERS layers of random Q8_0 weights (blocks of 32
int8 and one f16 scale, written directly), then feeds PROMPT random token ids in one batch and
times DECODE single-token steps through llama-cpp-python. Prints one JSON object.

Usage: python llama_peer.py WORKDIR LAYERS PROMPT DECODE THREADS
"""
import json
import os
import sys
import time

import numpy as np

D, FF, HEADS, KV_HEADS, HEAD_DIM, VOCAB, ROTARY = 4096, 13696, 32, 2, 128, 151552, 64


def q8_0(rng, rows, cols):
    """Random Q8_0 blocks for a rows × cols matrix (cols a multiple of 32), as raw bytes."""
    blocks = np.zeros(rows * cols // 32, dtype=[("d", "<f2"), ("qs", "i1", 32)])
    blocks["d"] = np.float16(0.02 / 127 * 3)
    blocks["qs"] = rng.integers(-127, 128, size=(blocks.size, 32), dtype=np.int8)
    return blocks.view(np.uint8).reshape(rows, cols // 32 * 34)


def write_checkpoint(path, layers):
    import gguf

    rng = np.random.default_rng(0)
    w = gguf.GGUFWriter(path, "glm4")
    w.add_context_length(8192)
    w.add_embedding_length(D)
    w.add_block_count(layers)
    w.add_feed_forward_length(FF)
    w.add_head_count(HEADS)
    w.add_head_count_kv(KV_HEADS)
    w.add_key_length(HEAD_DIM)
    w.add_value_length(HEAD_DIM)
    w.add_rope_dimension_count(ROTARY)
    w.add_rope_freq_base(10000.0)
    w.add_layer_norm_rms_eps(1e-5)
    w.add_file_type(gguf.LlamaFileType.MOSTLY_Q8_0)
    # A SentencePiece-style vocabulary of the real size: ids are fed directly, never tokenized,
    # but llama.cpp wants its control and byte tokens.
    tokens = ["<unk>", "<s>", "</s>"] + [f"<0x{b:02X}>" for b in range(256)]
    types = [gguf.TokenType.UNKNOWN, gguf.TokenType.CONTROL, gguf.TokenType.CONTROL] + [gguf.TokenType.BYTE] * 256
    tokens += [f"t{i}" for i in range(len(tokens), VOCAB)]
    types += [gguf.TokenType.NORMAL] * (VOCAB - len(types))
    w.add_tokenizer_model("llama")
    w.add_token_list(tokens)
    w.add_token_scores([0.0] * VOCAB)
    w.add_token_types(types)
    w.add_bos_token_id(1)
    w.add_eos_token_id(2)
    q8 = gguf.GGMLQuantizationType.Q8_0

    def vector(name, n, value=None):
        data = np.full(n, value, dtype=np.float32) if value is not None else rng.normal(0, 0.02, n).astype(np.float32)
        w.add_tensor(name, data)

    w.add_tensor("token_embd.weight", q8_0(rng, VOCAB, D), raw_dtype=q8)
    for i in range(layers):
        b = f"blk.{i}."
        for norm in ("attn_norm", "post_attention_norm", "ffn_norm", "post_ffw_norm"):
            vector(b + norm + ".weight", D, 1.0)
        w.add_tensor(b + "attn_q.weight", q8_0(rng, HEADS * HEAD_DIM, D), raw_dtype=q8)
        w.add_tensor(b + "attn_k.weight", q8_0(rng, KV_HEADS * HEAD_DIM, D), raw_dtype=q8)
        w.add_tensor(b + "attn_v.weight", q8_0(rng, KV_HEADS * HEAD_DIM, D), raw_dtype=q8)
        vector(b + "attn_q.bias", HEADS * HEAD_DIM)
        vector(b + "attn_k.bias", KV_HEADS * HEAD_DIM)
        vector(b + "attn_v.bias", KV_HEADS * HEAD_DIM)
        w.add_tensor(b + "attn_output.weight", q8_0(rng, D, HEADS * HEAD_DIM), raw_dtype=q8)
        w.add_tensor(b + "ffn_up.weight", q8_0(rng, 2 * FF, D), raw_dtype=q8)
        w.add_tensor(b + "ffn_down.weight", q8_0(rng, D, FF), raw_dtype=q8)
    vector("output_norm.weight", D, 1.0)
    w.add_tensor("output.weight", q8_0(rng, VOCAB, D), raw_dtype=q8)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


def main():
    work, layers, prompt, decode, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    path = os.path.join(work, f"glm4-q8_0-d{layers}.gguf")
    if not os.path.exists(path):
        write_checkpoint(path + ".part", layers)
        os.rename(path + ".part", path)
    from llama_cpp import Llama

    llm = Llama(model_path=path, n_ctx=prompt + decode + 64, n_batch=512, n_ubatch=512, n_threads=threads,
                n_threads_batch=threads, use_mmap=True, verbose=False)
    rng = np.random.default_rng(1)
    ids = [int(t) for t in rng.integers(300, VOCAB, size=prompt)]
    t = time.perf_counter()
    llm.eval(ids)
    prefill = time.perf_counter() - t
    steps = []
    for token in rng.integers(300, VOCAB, size=decode):  # which token does not change the work
        t = time.perf_counter()
        llm.eval([int(token)])
        steps.append(time.perf_counter() - t)
    print(json.dumps({"layers": layers, "prompt_tokens": prompt, "prefill_s": prefill, "decode_steps_s": steps,
                      "gguf_bytes": os.path.getsize(path), "system_info": __import__("llama_cpp").llama_print_system_info().decode()}))


if __name__ == "__main__":
    main()
