#!/usr/bin/env python3
"""The work of Scripts/train-embedded-model (run it through that script: it builds `tether` and
makes the Python environment). Three stages, each reusing what the one before left in --work:

  record   for each training task x seed: `tether vphone --task T --seed S` (a virtual phone with
           that instance), `tether record --finish Done` while `tether vphone solve T --seed S`
           plays the person's solution through sendevent, then `tether vphone check`; a
           demonstration is kept only when the check passes
  export   `tether export --format autoglm`: one chat sample per step, exactly as the agent sends it
  train    a byte-level BPE tokenizer (GLM pre-tokenizer, GLM special tokens) on the exported text,
           then a small Glm4vForConditionalGeneration trained on the assistant turns only (the
           steps the instruction decides seen more often, quoted texts swapped for random ones); writes
           the checkpoint (bf16 safetensors, config, tokenizer, preprocessor, generation config)
           to --out with TRAINING.md, and the engine's parity fixture for the Swift tests

Everything is seeded; the same demonstrations give the same checkpoint.
"""
import argparse
import concurrent.futures
import datetime
import json
import math
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
TETHER = os.path.join(ROOT, ".build", "debug", "tether")

# What the model learns, and what it is measured on (docs/benchmarks.md).
TASKS = ["settings-toggle", "browser-open-bookmark", "notes-create", "messages-text-contact"]
TRAIN_SEEDS = list(range(1, 31))
HELD_OUT_SEEDS = list(range(1001, 1011))
# The day every recorded system prompt gives as today (`tether record --date`): the model learns
# prompts of this one day, and runs of it give the same (`tether run --date`, Scripts/demo).
PROMPT_DATE = "2026-12-05"
UNSEEN_TASKS = ["contacts-delete-named", "notes-delete-longpress", "clock-toggle-alarm", "calendar-delete-event"]
FINISH = "Done"
# Demonstrations in both prompt languages: `tether run` speaks Chinese unless told `--lang en`.
LANGUAGES = ["en", "zh"]

GLM_REGEX = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|"
             r" ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+")
SPECIALS = ["<|endoftext|>", "[MASK]", "[gMASK]", "[sMASK]", "<sop>", "<eop>", "<|system|>",
            "<|user|>", "<|assistant|>", "<|observation|>", "<|begin_of_image|>", "<|end_of_image|>",
            "<|begin_of_video|>", "<|end_of_video|>", "<|image|>", "<|video|>"]
PLAIN_ADDED = ["<think>", "</think>", "<answer>", "</answer>"]
IMAGE_PLACEHOLDER = "<|begin_of_image|><|image|><|end_of_image|>"

# The model: a few vision blocks, a few decoder layers, a screen budget of ~55 image tokens.
VOCAB_TARGET = 4096
TEXT = {"hidden_size": 192, "intermediate_size": 512, "num_hidden_layers": 4, "num_attention_heads": 6,
        "num_key_value_heads": 2}
VISION = {"depth": 2, "hidden_size": 64, "num_heads": 2, "intermediate_size": 128, "image_size": 112}
MAX_POSITIONS = 8192
MIN_PIXELS = 2 * 28 * 28 * 16
MAX_PIXELS = 2 * 28 * 28 * 60
# Training emphasis: steps whose answer the instruction decides are seen this many times an epoch;
# a step that quotes a text to copy gets random stand-in texts this share of the time.
REPEAT_DECIDING = 2
AUGMENTED = 0.75

# Texts the agent must copy from the instruction into a Type action. Each epoch, a training step
# that quotes one of them sees it replaced everywhere (instruction, history, answer) by a random
# phrase, so the model learns to copy what the instruction says rather than recall the task's
# few training phrases. Contact names and bookmark titles stay: they are on the screen.
COPIED = [re.compile(p) for p in (
    r'Create a note titled "(?P<a>[^"]+)" with the text "(?P<b>[^"]+)"\.',
    r"新建笔记“(?P<a>[^”]+)”，内容“(?P<b>[^”]+)”。",
    r'Send .+? a text saying "(?P<b>[^"]+)"\.',
    r"给 .+? 发短信：“(?P<b>[^”]+)”。",
)]
WORDS = """apple river candle garden window pencil summer winter coffee ticket market forest bridge
camera letter planet silver orange violet yellow purple bottle basket blanket island harbor castle
dragon rocket jacket pocket button carpet mirror ladder hammer wallet guitar piano violin trumpet
lemon mango cherry walnut peanut butter cheese noodle pepper ginger garlic onion potato carrot
tomato salad soup bread cookie muffin pizza pasta salmon tuna chicken turkey beach valley desert
canyon meadow cloud storm thunder rain snow breeze sunset sunrise morning evening tonight weekend
monday friday holiday party meeting lunch dinner picnic concert movie museum library school office
doctor dentist yoga tennis soccer hiking swim bike train plane taxi hotel airport station ferry
paint brush glue paper tape scissors stamps charger cable laptop phone tablet keys umbrella boots
gloves hat scarf socks shirt dress shoes towel soap shampoo battery lamp clock plant seeds fence
call text email visit book order pay fix clean pack send bring buy cook read write plan check
late early soon today tomorrow noon eight nine ten seven home work gym park store bank""".split()


def random_phrase(rng, kind):
    """A stand-in title (1–3 words, capitalised) or body (2–4 words, comma- or space-separated)."""
    if kind == "a":
        return " ".join(rng.sample(WORDS, rng.randint(1, 3))).capitalize()
    body = (", " if rng.random() < 0.5 else " ").join(rng.sample(WORDS, rng.randint(2, 4)))
    return body.capitalize() if rng.random() < 0.5 else body


def quoted_texts(sample):
    """The texts of the sample's instruction that its answers copy: {"a": title, "b": body}."""
    for m in sample["messages"]:
        if m["role"] == "user":
            for pattern in COPIED:
                found = pattern.search(m["content"])
                if found:
                    return {k: v for k, v in found.groupdict().items() if v}
            return {}
    return {}


def with_texts(sample, rng):
    """The sample with each copied text replaced, consistently, by a random phrase."""
    texts = quoted_texts(sample)
    if not texts:
        return sample
    swap = {old: random_phrase(rng, kind) for kind, old in texts.items()}
    messages = []
    for m in sample["messages"]:
        content = m["content"]
        if m["role"] != "system":
            for old, new in swap.items():
                content = content.replace(old, new)
        messages.append(dict(m, content=content))
    return dict(sample, messages=messages)


def depends_on_instruction(samples):
    """Ids of the steps whose answer differs between demonstrations of the same task, step and
    language: the steps where the instruction (or the screen) decides, not the routine."""
    answers = {}
    for s in samples:
        answers.setdefault(step_key(s), set()).add(s["messages"][-1]["content"])
    return {s["id"] for s in samples if len(answers[step_key(s)]) > 1}


def step_key(sample):
    task = re.sub(r"-s\d+-\w+$", "", sample["episode"])
    language = sample["episode"].rsplit("-", 1)[-1]
    return task, language, sample["id"].rsplit("/", 1)[-1]


def say(*a):
    print(*a, flush=True)


# ---------------------------------------------------------------- record

def instructions(seed):
    """Each task's instruction for this seed: {"en": …, "zh": …} (`tether vphone tasks --zh`)."""
    out = subprocess.run([TETHER, "vphone", "tasks", "--zh", "--seed", str(seed)], capture_output=True, text=True,
                         check=True, cwd=ROOT).stdout
    found, last = {}, None
    for line in out.splitlines():
        m = re.match(r"^(\S+)\s+(easy|medium|hard)(?: \d+ apps)?\s+(.*)$", line)
        if m:
            last = m.group(1)
            found[last] = {"en": m.group(3).strip()}
        elif last and line.strip():
            found[last]["zh"] = line.strip()
    return found


def wait_for(path, pattern, seconds, process):
    deadline = time.time() + seconds
    while time.time() < deadline:
        with open(path, errors="replace") as f:
            m = re.search(pattern, f.read())
        if m:
            return m
        if process.poll() is not None:
            break
        time.sleep(0.1)
    with open(path, errors="replace") as f:
        raise RuntimeError(f"no /{pattern}/ from {' '.join(process.args[:3])}: {f.read()[-800:]}")


def stop(process):
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def record_one(task, seed, lang, instruction, demos):
    name = f"{task}-s{seed}-{lang}"
    episode, marker = os.path.join(demos, name), os.path.join(demos, name + ".passed")
    if os.path.exists(marker):
        return name, True, "cached"
    shutil.rmtree(episode, ignore_errors=True)
    logs = os.path.join(demos, "logs")
    vlog, rlog = os.path.join(logs, name + ".vphone.log"), os.path.join(logs, name + ".record.log")
    with open(vlog, "w") as vout:
        phone = subprocess.Popen([TETHER, "vphone", "--port", "0", "--task", task, "--seed", str(seed)],
                                 stdout=vout, stderr=subprocess.STDOUT, cwd=ROOT)
    recorder = None
    try:
        serial = wait_for(vlog, r"127\.0\.0\.1:\d+", 60, phone).group(0)
        with open(rlog, "w") as rout:
            recorder = subprocess.Popen([TETHER, "record", "--connect", serial, "-o", episode, "--task", instruction,
                                         "--finish", FINISH, "--max-steps", "60", "--lang", lang, "--date", PROMPT_DATE],
                                        stdout=rout, stderr=subprocess.STDOUT, cwd=ROOT)
        wait_for(rlog, r"ready:", 60, recorder)
        solve = subprocess.run([TETHER, "vphone", "solve", task, "--seed", str(seed), "--serial", serial],
                               capture_output=True, text=True, cwd=ROOT)
        if solve.returncode != 0:
            return name, False, "solve failed: " + (solve.stdout + solve.stderr)[-400:]
        time.sleep(1.5)  # the recorder takes the screen after the last gesture
        stop(recorder)
        check = subprocess.run([TETHER, "vphone", "check", task, "--seed", str(seed), "--serial", serial],
                               capture_output=True, text=True, cwd=ROOT)
        if check.returncode != 0:
            return name, False, "check failed: " + check.stdout[-400:]
        with open(os.path.join(episode, "episode.json")) as f:
            if json.load(f)["outcome"]["status"] != "finished":
                return name, False, "the recording did not finish"
        open(marker, "w").close()
        return name, True, "recorded"
    finally:
        if recorder:
            stop(recorder)
        stop(phone)


def record(work, seeds, jobs):
    demos = os.path.join(work, "demos")
    os.makedirs(os.path.join(demos, "logs"), exist_ok=True)
    todo = []
    for seed in seeds:
        texts = instructions(seed)
        todo += [(task, seed, lang, texts[task][lang]) for task in TASKS for lang in LANGUAGES]
    kept = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        for name, ok, what in pool.map(lambda t: record_one(*t, demos), todo):
            kept += ok
            say(f"record {name}: {what}")
    say(f"record: {kept} of {len(todo)} demonstrations kept in {demos}")


# ---------------------------------------------------------------- export

def export(work):
    demos = os.path.join(work, "demos")
    names = sorted(n[:-len(".passed")] for n in os.listdir(demos) if n.endswith(".passed"))
    out = os.path.join(work, "export")
    shutil.rmtree(out, ignore_errors=True)
    subprocess.run([TETHER, "export", *[os.path.join(demos, n) for n in names], "--format", "autoglm", "-o", out],
                   check=True, cwd=ROOT)


# ---------------------------------------------------------------- train

def render_prompt(messages):
    """ChatFormat.render of Sources/Inference: the GLM-4.1V format as the production server sends it."""
    out = "[gMASK]<sop>"
    for m in messages:
        content = m["content"].replace("<image>", IMAGE_PLACEHOLDER)
        out += {"system": "<|system|>\n", "user": "<|user|>\n", "assistant": "<|assistant|>\n"}[m["role"]] + content
    return out + "<|assistant|>\n"


def train_tokenizer(samples):
    from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers, trainers
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(GLM_REGEX), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=True, use_regex=False),
    ])
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=VOCAB_TARGET - len(SPECIALS) - len(PLAIN_ADDED), min_frequency=2,
                                  show_progress=False, initial_alphabet=pre_tokenizers.ByteLevel.alphabet())

    def corpus():
        for s in samples:
            for m in s["messages"]:
                yield m["content"].replace("<image>", "")
    tok.train_from_iterator(corpus(), trainer=trainer)
    tok.add_special_tokens(SPECIALS)
    tok.add_tokens(PLAIN_ADDED)
    return tok


def write_checkpoint(out, tok, model_config, preproc, eos, pad):
    os.makedirs(out, exist_ok=True)
    tok.save(os.path.join(out, "tokenizer.json"))
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(model_config, f, indent=2)
    with open(os.path.join(out, "preprocessor_config.json"), "w") as f:
        json.dump(preproc, f, indent=2)
    with open(os.path.join(out, "generation_config.json"), "w") as f:
        json.dump({"eos_token_id": eos, "pad_token_id": pad, "do_sample": False}, f, indent=2)
    with open(os.path.join(out, "tokenizer_config.json"), "w") as f:
        json.dump({"tokenizer_class": "PreTrainedTokenizerFast", "eos_token": "<|endoftext|>",
                   "pad_token": "<|endoftext|>", "model_max_length": MAX_POSITIONS, "padding_side": "left"}, f, indent=2)
    with open(os.path.join(out, "chat_template.jinja"), "w") as f:
        f.write("[gMASK]<sop>{% for m in messages %}<|{{ m.role }}|>\n{{ m.content }}{% endfor %}"
                "{% if add_generation_prompt %}<|assistant|>\n{% endif %}")


def train(work, out, minutes, threads, fixture, seeds):
    import torch
    from safetensors.torch import save_file
    from transformers import Glm4vConfig, Glm4vForConditionalGeneration
    from transformers.models.glm4v.image_processing_pil_glm4v import Glm4vImageProcessorPil

    torch.set_num_threads(threads)
    random.seed(0)
    torch.manual_seed(0)
    export_dir = os.path.join(work, "export")
    with open(os.path.join(export_dir, "samples.jsonl")) as f:
        samples = [json.loads(line) for line in f]
    episodes = sorted({s["episode"] for s in samples})
    say(f"train: {len(samples)} samples from {len(episodes)} demonstrations")

    tok = train_tokenizer(samples)
    ids_of = {t: tok.token_to_id(t) for t in SPECIALS + PLAIN_ADDED}
    vocab = (tok.get_vocab_size(with_added_tokens=True) + 15) // 16 * 16
    eos = [ids_of["<|endoftext|>"], ids_of["<|user|>"], ids_of["<|observation|>"]]
    pad = ids_of["<|endoftext|>"]
    model_config = {
        "architectures": ["Glm4vForConditionalGeneration"], "model_type": "glm4v",
        "image_start_token_id": ids_of["<|begin_of_image|>"], "image_end_token_id": ids_of["<|end_of_image|>"],
        "video_start_token_id": ids_of["<|begin_of_video|>"], "video_end_token_id": ids_of["<|end_of_video|>"],
        "image_token_id": ids_of["<|image|>"], "video_token_id": ids_of["<|video|>"],
        "torch_dtype": "bfloat16", "transformers_version": "4.53.0",
        "text_config": dict(TEXT, model_type="glm4v_text", vocab_size=vocab, hidden_act="silu", attention_bias=True,
                            attention_dropout=0.0, rms_norm_eps=1e-05, rope_theta=10000.0, partial_rotary_factor=0.5,
                            rope_scaling={"rope_type": "default", "mrope_section": [4, 2, 2]},
                            max_position_embeddings=MAX_POSITIONS, tie_word_embeddings=False, pad_token_id=pad,
                            eos_token_id=eos, initializer_range=0.02, use_cache=True, torch_dtype="bfloat16"),
        "vision_config": dict(VISION, model_type="glm4v", attention_bias=False, hidden_act="silu", patch_size=14,
                              temporal_patch_size=2, spatial_merge_size=2, in_channels=3,
                              out_hidden_size=TEXT["hidden_size"], rms_norm_eps=1e-05, initializer_range=0.02),
    }
    preproc = {"size": {"shortest_edge": MIN_PIXELS, "longest_edge": MAX_PIXELS}, "do_rescale": True,
               "do_normalize": True, "rescale_factor": 1 / 255, "patch_size": 14, "temporal_patch_size": 2,
               "merge_size": 2, "image_mean": [0.48145466, 0.4578275, 0.40821073],
               "image_std": [0.26862954, 0.26130258, 0.27577711],
               "image_processor_type": "Glm4vImageProcessor", "processor_class": "Glm4vProcessor"}
    write_checkpoint(out, tok, model_config, preproc, eos, pad)
    cfg = Glm4vConfig.from_pretrained(out)
    proc = Glm4vImageProcessorPil(**{k: v for k, v in preproc.items()
                                     if k not in ("image_processor_type", "processor_class")})
    image_id = ids_of["<|image|>"]

    t0 = time.time()
    data = [encode_sample(s, export_dir, tok, proc, ids_of) for s in samples]
    pixels = {s["id"]: (d["pixel_values"], d["image_grid_thw"]) for s, d in zip(samples, data)}
    deciding = depends_on_instruction(samples)
    copying = sum(1 for s in samples if quoted_texts(s))
    say(f"train: {len(deciding)} steps decided by the instruction (seen {REPEAT_DECIDING}x an epoch); "
        f"{copying} quote a text to copy (random stand-ins {AUGMENTED:.0%} of the time)")
    lengths = [d["input_ids"].shape[1] for d in data]
    say(f"train: vocab {vocab}; sequences {min(lengths)}–{max(lengths)} tokens (mean {sum(lengths) / len(lengths):.0f});"
        f" image tokens {int(data[0]['image_grid_thw'][0].prod()) // 4}; encoded in {time.time() - t0:.0f} s")

    model = Glm4vForConditionalGeneration._from_config(cfg, attn_implementation="sdpa", dtype=torch.float32)
    n_params = sum(p.numel() for p in model.parameters())
    say(f"train: {n_params / 1e6:.2f} M parameters")
    import inspect
    takes_mm = "mm_token_type_ids" in inspect.signature(model.forward).parameters

    def kwargs(d, ids=None):
        ids = d["input_ids"] if ids is None else ids
        kw = {"input_ids": ids, "pixel_values": d["pixel_values"], "image_grid_thw": d["image_grid_thw"]}
        if takes_mm:
            kw["mm_token_type_ids"] = (ids == image_id).long()
        return kw

    accumulate = 4
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, betas=(0.9, 0.98), weight_decay=0.01)
    deadline = time.time() + minutes * 60
    # The schedule assumes the measured pace; the run stops at the deadline either way.
    model.train()
    started = time.time()
    probe = data[:8]
    for d in probe:
        model(**kwargs(d), labels=d["labels"]).loss.backward()
    opt.zero_grad()
    per_sample = (time.time() - started) / len(probe)
    per_epoch = sum(REPEAT_DECIDING if s["id"] in deciding else 1 for s in samples)
    epochs = max(1, int((minutes * 60 - (time.time() - t0)) / (per_sample * per_epoch)))
    total_updates = max(1, epochs * per_epoch // accumulate)
    warmup = min(30, total_updates // 10 + 1)
    say(f"train: {per_sample:.2f} s a sample; planning {epochs} epochs ({total_updates} updates) in {minutes} min")

    def lr_at(step):
        if step < warmup:
            return (step + 1) / warmup
        p = (step - warmup) / max(1, total_updates - warmup)
        return 0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * min(1.0, p)))

    curve = []
    update = 0
    order = [i for i, s in enumerate(samples) for _ in range(REPEAT_DECIDING if s["id"] in deciding else 1)]
    for epoch in range(epochs):
        rng = random.Random(epoch)
        rng.shuffle(order)
        total, count = 0.0, 0
        for k, i in enumerate(order):
            d = data[i]
            if quoted_texts(samples[i]) and rng.random() < AUGMENTED:
                d = encode_sample(with_texts(samples[i], rng), export_dir, tok, proc, ids_of, pixels[samples[i]["id"]])
            loss = model(**kwargs(d), labels=d["labels"]).loss
            (loss / accumulate).backward()
            total += float(loss.detach())
            count += 1
            if (k + 1) % accumulate == 0 or k + 1 == len(order):
                for g in opt.param_groups:
                    g["lr"] = 2e-3 * lr_at(update)
                torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                opt.step()
                opt.zero_grad()
                update += 1
        curve.append(total / count)
        say(f"epoch {epoch + 1}/{epochs}: loss {curve[-1]:.4f}  ({(time.time() - started) / 60:.1f} min)")
        if time.time() > deadline:
            say("train: time is up")
            break
    train_minutes = (time.time() - started) / 60

    # The checkpoint in bf16, as the engine loads it; everything after uses those rounded weights.
    model.eval()
    state = {k: v.detach().to(torch.bfloat16).contiguous() for k, v in model.state_dict().items()}
    save_file(state, os.path.join(out, "model.safetensors"), metadata={"format": "pt"})
    ref = Glm4vForConditionalGeneration._from_config(cfg, attn_implementation="eager", dtype=torch.float32)
    ref.load_state_dict({k: v.to(torch.float32) for k, v in state.items()})
    ref.eval()

    # Answers the bf16 model gets exactly right on (a sample of) its training steps.
    checked = data[:: max(1, len(data) // 30)]
    exact = 0
    for d in checked:
        prompt = d["input_ids"][:, :d["prompt_len"]]
        with torch.no_grad():
            got = ref.generate(**kwargs(d, prompt), max_new_tokens=48, do_sample=False, eos_token_id=eos,
                               pad_token_id=pad)[0, d["prompt_len"]:].tolist()
        want = d["labels"][0, d["prompt_len"]:].tolist()
        exact += got == want
    say(f"train: {exact}/{len(checked)} training answers reproduced exactly (greedy, bf16)")

    size = os.path.getsize(os.path.join(out, "model.safetensors"))
    with open(os.path.join(out, "training.json"), "w") as f:
        json.dump({"tasks": TASKS, "train_seeds": seeds, "held_out_seeds": HELD_OUT_SEEDS,
                   "unseen_tasks": UNSEEN_TASKS, "prompt_date": PROMPT_DATE, "demonstrations": len(episodes), "samples": len(samples),
                   "parameters": n_params, "weights_bytes": size,
                   "image_tokens": int(data[0]["image_grid_thw"][0].prod()) // 4, "epochs": len(curve), "updates": update,
                   "loss_per_epoch": [round(x, 4) for x in curve], "train_minutes": round(train_minutes, 1),
                   "threads": threads, "exact_training_answers": [exact, len(checked)],
                   "versions": {"torch": torch.__version__, "transformers": __import__("transformers").__version__,
                                "tokenizers": __import__("tokenizers").__version__},
                   "date": datetime.date.today().isoformat()}, f, indent=1)
    write_card(out, model_config, preproc)
    say(f"train: wrote {out} ({size / 1e6:.1f} MB of weights) in {train_minutes:.1f} min of training")
    write_fixture(out, export_dir, fixture)


def encode_sample(sample, export_dir, tok, proc, ids_of, pixels=None):
    """One exported step as the model sees it: the prompt's ids with the image's tokens expanded,
    the answer's ids (then `<|user|>`, where the next turn would start) as the only labels."""
    import numpy as np
    import torch
    from PIL import Image
    image_id, user_id = ids_of["<|image|>"], ids_of["<|user|>"]
    if pixels is None:
        image = Image.open(os.path.join(export_dir, sample["images"][0])).convert("RGB")
        found = proc(images=[image], return_tensors="np")
        pixels = torch.from_numpy(found["pixel_values"]), torch.from_numpy(found["image_grid_thw"])
    pixel_values, grid = pixels
    n_image = int(np.prod(grid[0].tolist())) // 4
    prompt = []
    for t in tok.encode(render_prompt(sample["messages"][:-1]), add_special_tokens=False).ids:
        prompt.extend([image_id] * n_image if t == image_id else [t])
    answer = tok.encode(sample["messages"][-1]["content"], add_special_tokens=False).ids + [user_id]
    return {"id": sample["id"], "input_ids": torch.tensor([prompt + answer]),
            "labels": torch.tensor([[-100] * len(prompt) + answer]), "prompt_len": len(prompt),
            "pixel_values": pixel_values, "image_grid_thw": grid}


def write_fixture(out, work_export, fixture):
    """The engine's parity fixture: transformers' greedy replies (the bf16 checkpoint in --out, run
    in fp32 with eager attention, one full forward per token) to two recorded steps — the first
    step of a notes-create demonstration and its first Type step, whose text comes from the prompt."""
    import inspect
    import torch
    from tokenizers import Tokenizer
    from safetensors.torch import load_file
    from transformers import Glm4vConfig, Glm4vForConditionalGeneration
    from transformers.models.glm4v.image_processing_pil_glm4v import Glm4vImageProcessorPil
    tok = Tokenizer.from_file(os.path.join(out, "tokenizer.json"))
    ids_of = {t: tok.token_to_id(t) for t in SPECIALS + PLAIN_ADDED}
    with open(os.path.join(out, "preprocessor_config.json")) as f:
        preproc = json.load(f)
    proc = Glm4vImageProcessorPil(**{k: v for k, v in preproc.items()
                                     if k not in ("image_processor_type", "processor_class")})
    cfg = Glm4vConfig.from_pretrained(out)
    model = Glm4vForConditionalGeneration._from_config(cfg, attn_implementation="eager", dtype=torch.float32)
    model.load_state_dict({k: v.to(torch.float32) for k, v in load_file(os.path.join(out, "model.safetensors")).items()})
    model.eval()
    eos = cfg.text_config.eos_token_id
    takes_mm = "mm_token_type_ids" in inspect.signature(model.forward).parameters
    with open(os.path.join(work_export, "samples.jsonl")) as f:
        samples = [json.loads(line) for line in f]
    episode = next(s["episode"] for s in samples if s["episode"].startswith("notes-create"))
    steps = [s for s in samples if s["episode"] == episode]
    picks = [steps[0], next(s for s in steps if 'action="Type"' in s["messages"][-1]["content"])]
    os.makedirs(fixture, exist_ok=True)
    cases = []
    for k, s in enumerate(picks, 1):
        d = encode_sample(s, work_export, tok, proc, ids_of)
        ids = d["input_ids"][:, :d["prompt_len"]]
        got, margins = [], []
        with torch.no_grad():
            for _ in range(64):
                kw = {"input_ids": ids, "pixel_values": d["pixel_values"], "image_grid_thw": d["image_grid_thw"]}
                if takes_mm:
                    kw["mm_token_type_ids"] = (ids == ids_of["<|image|>"]).long()
                top = torch.topk(model(**kw).logits[0, -1], 2)
                margins.append(float(top.values[0] - top.values[1]))
                got.append(int(top.indices[0]))
                if got[-1] in eos:
                    break
                ids = torch.cat([ids, torch.tensor([[got[-1]]])], 1)
        image = f"screen-{k}.png"
        shutil.copy(os.path.join(work_export, s["images"][0]), os.path.join(fixture, image))
        cases.append({"sample": s["id"], "image": image,
                      "messages": [{"role": m["role"], "content": m["content"].replace("<image>\n", "")}
                                   for m in s["messages"][:-1]],
                      "prompt_ids": d["input_ids"][0, :d["prompt_len"]].tolist(), "generated_ids": got,
                      "generated_text": tok.decode(got, skip_special_tokens=False), "min_margin": min(margins)})
        say(f"fixture {s['id']}: {cases[-1]['generated_text']!r} (min margin {min(margins):.2f})")
    with open(os.path.join(fixture, "parity.json"), "w") as f:
        json.dump({"generator": "Scripts/train-embedded-model", "cases": cases}, f, indent=1, ensure_ascii=False)


def write_card(out, config, preproc):
    """TRAINING.md beside the checkpoint, from training.json: what the model is and how it was made."""
    with open(os.path.join(out, "training.json")) as f:
        t = json.load(f)
    text, vision = config["text_config"], config["vision_config"]
    curve = t["loss_per_epoch"]
    shown = ", ".join(f"{x:.3f}" for x in curve[:3]) + (" … " + ", ".join(f"{x:.3f}" for x in curve[-2:]) if len(curve) > 5 else
                                                         ", " + ", ".join(f"{x:.3f}" for x in curve[3:]))
    card = f"""# The embedded model

A small model in the GLM-4.1V checkpoint format (`Glm4vForConditionalGeneration`, the architecture of
AutoGLM-Phone-9B), trained on this machine by `Scripts/train-embedded-model` from a person's
demonstrations on Tether's **virtual phone**. It lets `Scripts/demo` and the tests run the whole agent
offline — record → export → train → run — with Tether's in-process engine.

It is a model of the virtual phone, not of real phones: it has seen only the virtual phone's screens,
only the tasks below, and only the layouts those tasks show. On a real phone, or on a task it was not
trained on, expect it to fail (docs/benchmarks.md measures both). Even on its own tasks its weakest
skill is copying a text it has not seen from the instruction into a Type action (a held-out note's
title, a new message): at this size and under an hour of training it types a phrase of its own.

| | |
|---|---|
| tasks | {", ".join(t["tasks"])} |
| training seeds | {t["train_seeds"][0]}..{t["train_seeds"][-1]} ({len(t["train_seeds"])} per task), each in English and Chinese |
| held-out seeds | {t["held_out_seeds"][0]}..{t["held_out_seeds"][-1]} (never recorded) |
| the prompts' date | {t["prompt_date"]}, in every recorded prompt: run it with `--date {t["prompt_date"]}` (on other days it answers differently) |
| tasks never seen | {", ".join(t["unseen_tasks"])} |
| data | {t["demonstrations"]} demonstrations, {t["samples"]} steps (one sample per step, `tether export --format autoglm`) |
| text decoder | {text["num_hidden_layers"]} layers, hidden {text["hidden_size"]}, MLP {text["intermediate_size"]}, heads {text["num_attention_heads"]}/{text["num_key_value_heads"]} kv, vocabulary {text["vocab_size"]} (byte-level BPE trained on the exported text, GLM special tokens), context {text["max_position_embeddings"]} |
| vision tower | {vision["depth"]} blocks, hidden {vision["hidden_size"]}; screens resized to at most {preproc["size"]["longest_edge"] // 2} pixels ({t["image_tokens"]} image tokens for the 1080×2400 screen) |
| parameters | {t["parameters"] / 1e6:.2f} M, bf16, {t["weights_bytes"] / 1e6:.1f} MB |
| training | {t["epochs"]} epochs, {t["updates"]} updates (AdamW, batch 4, cosine), loss on the assistant turns only; {t["train_minutes"]} min on {t["threads"]} threads |
| loss per epoch | {shown} |
| training answers reproduced exactly | {t["exact_training_answers"][0]} of {t["exact_training_answers"][1]} checked (greedy, bf16 weights) |
| versions | torch {t["versions"]["torch"]}, transformers {t["versions"]["transformers"]}, tokenizers {t["versions"]["tokenizers"]} ({t["date"]}) |

How it was made (about an hour on 2 cores; seeded, so a rerun gives a model of the same quality,
though torch's CPU kernels do not promise the same bytes on another machine):

```sh
Scripts/train-embedded-model          # record, export, train; writes this folder
```

1. **Record**: for each task and training seed, in each prompt language, a virtual phone serves that
   instance (`tether vphone --task T --seed S`), `tether record --finish Done --lang L` follows it
   while `tether vphone solve T --seed S` plays the task's person solution through `sendevent`
   (gestures and the on-screen keyboard), and `tether vphone check` must pass.
2. **Export**: `tether export --format autoglm`: each step as the agent's own chat (the system prompt
   a run sends on that phone, the history, the newest screenshot) with the person's action as the
   answer (empty thinking), and the person's `finish` as the last step.
3. **Train**: the tokenizer, then the model, from a seeded random start. Each epoch sees every step
   once and the steps whose answer the instruction decides (which switch, which bookmark, which
   contact, what to type: answers that differ between demonstrations of the same step)
   {REPEAT_DECIDING} times; and a step whose instruction quotes a text to type (a note's title and
   text, a message) sees it, {AUGMENTED:.0%} of the time, replaced everywhere — instruction,
   history, answer — by a random phrase, so that the model learns to copy the instruction's text
   instead of recalling the few texts of the training seeds.

Files: `config.json`, `model.safetensors`, `tokenizer.json`, `tokenizer_config.json`,
`chat_template.jinja`, `preprocessor_config.json`, `generation_config.json`, and `training.json`
(the numbers above, read by the tests: the held-out seeds are never among the training seeds).
"""
    with open(os.path.join(out, "TRAINING.md"), "w") as f:
        f.write(card)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--stage", choices=["record", "export", "train", "fixture", "all"], default="all")
    ap.add_argument("--work", default=os.path.join(ROOT, ".build-model"))
    ap.add_argument("--out", default=os.path.join(ROOT, "Devices", "models", "embedded"))
    ap.add_argument("--fixture", default=os.path.join(ROOT, "Tests", "AgentTests", "Fixtures", "embedded"))
    ap.add_argument("--minutes", type=float, default=45, help="training time budget (the committed checkpoint: 45)")
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--jobs", type=int, default=2, help="demonstrations recorded at once")
    ap.add_argument("--seeds", type=int, default=len(TRAIN_SEEDS), help="use the first N training seeds")
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    if a.stage in ("record", "all"):
        record(a.work, TRAIN_SEEDS[:a.seeds], a.jobs)
    if a.stage in ("export", "all"):
        export(a.work)
    if a.stage in ("train", "all"):
        train(a.work, a.out, a.minutes, a.threads, a.fixture, TRAIN_SEEDS[:a.seeds])
    if a.stage == "fixture":
        write_fixture(a.out, os.path.join(a.work, "export"), a.fixture)


if __name__ == "__main__":
    sys.exit(main())
