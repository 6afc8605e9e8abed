"""What machine this is: the facts every timing and every int8 result depends on, said next to them."""

from __future__ import annotations

import os
import platform

import torch


def cpu_int8_features() -> list[str]:
    """The CPU's int8 dot-product extensions, as CPUID reports them to this process.

    numpy's run-time detection asks the CPU itself, so an emulated CPU (``qemu-x86_64 -cpu Haswell``) is
    reported as what the libraries see; ``/proc/cpuinfo`` would name the host's. AMX, which numpy does not
    list, is read from ``/proc/cpuinfo`` only on a CPU of its generation.
    """
    from numpy._core._multiarray_umath import __cpu_features__ as cpu

    names = {"AVX2": "avx2", "AVX512F": "avx512f", "AVX512VNNI": "avx512_vnni", "ASIMDDP": "asimddp"}
    found = [name for key, name in names.items() if cpu.get(key)]
    if cpu.get("AVX512_SPR"):
        try:
            found += ["amx_int8"] if "amx_int8" in open("/proc/cpuinfo").read().split() else []
        except OSError:
            pass
    return found


# Switches that force the int8 and float kernels onto an older instruction set (see the README).
ISA_SWITCHES = ("FBGEMM_ENABLE_INSTRUCTIONS", "ONEDNN_MAX_CPU_ISA", "ATEN_CPU_CAPABILITY", "TORCHINDUCTOR_CPP_MARCH")


def machine_facts() -> dict[str, str]:
    """What a timing depends on: say it next to every number."""
    facts = {
        "torch": torch.__version__,
        "threads": str(torch.get_num_threads()),
        "quantized engine": torch.backends.quantized.engine,
        "cpu": platform.processor() or platform.machine(),
        "cpu capability": torch.backends.cpu.get_cpu_capability(),
        "int8 features": ", ".join(cpu_int8_features()) or "none found",
    }
    forced = [f"{name}={os.environ[name]}" for name in ISA_SWITCHES if os.environ.get(name)]
    if forced:
        facts["forced kernels"] = ", ".join(forced)
    return facts
