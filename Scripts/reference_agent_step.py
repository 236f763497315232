#!/usr/bin/env python3
"""The device half of one agent step done the reference agent's way (Open-AutoGLM's
phone_agent/adb, as research/open-autoglm.md §1.4-1.6 describes it), in its own runtime:
CPython, one `adb` process per command through subprocess.run(capture_output=True), Pillow for
the image. Used by `tether bench step` as the peer; prints the timings as JSON on stdout.

    reference_agent_step.py --adb /usr/bin/adb --serial 127.0.0.1:PORT --runs 15 --tap X Y --text T [--only OP]

The caller sets HOME and ANDROID_ADB_SERVER_PORT so that this adb uses its private server. The
reference's fixed sleeps (1 s after each action, 4 x 1 s while typing) are left out.
"""
import argparse
import base64
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid

from PIL import Image


def adb(args, prefix, timeout=None):
    result = subprocess.run(prefix + args, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        raise RuntimeError(f"adb {' '.join(args)} failed ({result.returncode}): {result.stdout}{result.stderr}")
    return result


def screenshot_rgba(prefix, scratch):
    """screencap -p to a file on the phone, pull it, open it with Pillow: an RGBA image."""
    out = adb(["shell", "screencap", "-p", "/sdcard/tmp.png"], prefix, timeout=10)
    if "Status: -1" in out.stdout + out.stderr or "Failed" in out.stdout + out.stderr:
        raise RuntimeError("screencap refused (a sensitive screen)")
    local = os.path.join(scratch, f"screenshot_{uuid.uuid4()}.png")
    adb(["pull", "/sdcard/tmp.png", local], prefix, timeout=5)
    image = Image.open(local).convert("RGBA")  # decodes every pixel
    os.remove(local)
    return image


def tap(prefix, x, y):
    adb(["shell", "input", "tap", str(x), str(y)], prefix)


def type_text(prefix, text):
    """The reference's five steps: remember the IME, select ADB Keyboard, clear, type, restore."""
    original = adb(["shell", "settings", "get", "secure", "default_input_method"], prefix).stdout.strip()
    adb(["shell", "ime", "set", "com.android.adbkeyboard/.AdbIME"], prefix)
    adb(["shell", "am", "broadcast", "-a", "ADB_INPUT_B64", "--es", "msg", "''"], prefix)
    adb(["shell", "am", "broadcast", "-a", "ADB_CLEAR_TEXT"], prefix)
    encoded = base64.b64encode(text.encode("utf-8")).decode("ascii")
    adb(["shell", "am", "broadcast", "-a", "ADB_INPUT_B64", "--es", "msg", encoded], prefix)
    adb(["shell", "ime", "set", original], prefix)


def measure(runs, body):
    body()  # warm-up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        body()
        times.append(time.perf_counter() - start)
    return times


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--adb", default="adb")
    parser.add_argument("--serial", required=True)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--tap", type=int, nargs=2, required=True, metavar=("X", "Y"))
    parser.add_argument("--text", required=True)
    parser.add_argument("--only", choices=["screenshot", "tap", "type"],
                        help="measure just this operation (the caller measures each right after its own)")
    a = parser.parse_args()
    prefix = [a.adb, "-s", a.serial]
    with tempfile.TemporaryDirectory() as scratch:
        operations = {
            "screenshot": lambda: screenshot_rgba(prefix, scratch),
            "tap": lambda: tap(prefix, *a.tap),
            "type": lambda: type_text(prefix, a.text),
        }
        result = {name: measure(a.runs, body) for name, body in operations.items() if a.only in (None, name)}
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
