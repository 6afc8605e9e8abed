"""What machine this is: the facts every timing and every int8 result depends on, said next to them."""

from __future__ import annotations

import os
import platform

import torch


def _proc_cpuinfo() -> dict[str, str]:
    """The first processor's ``key: value`` lines of ``/proc/cpuinfo`` (Linux); empty where there is no such file."""
    fields: dict[str, str] = {}
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                key, sep, value = line.partition(":")
                if not sep:
                    if fields:  # a blank line ends the first processor
                        break
                    continue
                fields.setdefault(key.strip(), value.strip())
    except OSError:
        pass
    return fields


def _proc_cpuinfo_flags() -> set[str]:
    """The flags line of ``/proc/cpuinfo`` (Linux), as a set; empty where there is no such file."""
    return set(_proc_cpuinfo().get("flags", "").split())


def cpu_model() -> str:
    """The CPU's model name, with its family and model numbers where ``/proc/cpuinfo`` gives them.

    Two VMs can report the same ISA features and differ 2× in int8 speed (an AMD EPYC Zen 4 against an earlier
    VNNI VM): the family and model number tell CPU generations apart when a VM's model name does not.
    """
    info = _proc_cpuinfo()
    name = info.get("model name") or platform.processor() or platform.machine()
    if "cpu family" in info and "model" in info:
        name += f" (family {info['cpu family']}, model {info['model']})"
    return name


def cpu_int8_features() -> list[str]:
    """The CPU's int8 dot-product extensions, as CPUID reports them to this process.

    numpy's run-time detection asks the CPU itself, so an emulated CPU (``qemu-x86_64 -cpu Haswell``) is
    reported as what the libraries see; ``/proc/cpuinfo`` would name the host's. Two extensions numpy 2.4 does
    not list are read from ``/proc/cpuinfo``, and only on a CPU whose CPUID shows it is of their generation:
    AVX-VNNI (``avx_vnni``, the 256-bit VNNI of Intel cores since Alder Lake and AMD Zen 5), only where numpy
    sees AVX2 and GFNI, which every AVX-VNNI CPU has and an emulated Haswell lacks; AMX only on a CPU numpy
    classes as Sapphire Rapids (``AVX512_SPR``).
    """
    from numpy._core._multiarray_umath import __cpu_features__ as cpu

    flags = None

    def proc_flag(name: str) -> bool:
        nonlocal flags
        flags = _proc_cpuinfo_flags() if flags is None else flags
        return name in flags

    found = ["avx2"] if cpu.get("AVX2") else []
    if cpu.get("AVXVNNI") or (cpu.get("AVX2") and cpu.get("GFNI") and proc_flag("avx_vnni")):
        found.append("avx_vnni")
    names = {"AVX512F": "avx512f", "AVX512VNNI": "avx512_vnni", "ASIMDDP": "asimddp"}
    found += [name for key, name in names.items() if cpu.get(key)]
    if cpu.get("AVX512_SPR") and proc_flag("amx_int8"):
        found.append("amx_int8")
    return found


# Which int8 instruction path each x86 library's kernels can take, best first, as each library's own dispatch
# code chooses it (not every library uses every extension the CPU has):
# - fbgemm (PyTorch's x86 quantized engine: `quantize_dynamic`'s Linear): AVX-512 VNNI, AVX-512, AVX2; it has
#   no AVX-VNNI and no AMX kernel (pytorch/FBGEMM src/Utils.cc, fbgemmInstructionSet).
# - oneDNN (PyTorch's `onednn` quantized engine, Inductor's int8 `qlinear`, INC's compiled graphs): AMX,
#   AVX-512 VNNI, AVX-512, AVX-VNNI (its `avx2_vnni`), AVX2 (its `cpu_isa` list and ONEDNN_MAX_CPU_ISA values).
# - MLAS (ONNX Runtime's u8×s8 GEMM): AMX, AVX-512 VNNI, AVX-512, AVX-VNNI, AVX2
#   (onnxruntime/core/mlas/lib/platform.cpp; an AVX-512 kernel replaces the AVX-VNNI one where both exist).
INT8_LIBRARIES = {
    "fbgemm": ("avx512_vnni", "avx512f", "avx2"),
    "oneDNN": ("amx_int8", "avx512_vnni", "avx512f", "avx_vnni", "avx2"),
    "ONNX Runtime": ("amx_int8", "avx512_vnni", "avx512f", "avx_vnni", "avx2"),
}
PATH_NAMES = {
    "amx_int8": "AMX",
    "avx512_vnni": "AVX-512 VNNI",
    "avx512f": "AVX-512",
    "avx_vnni": "AVX-VNNI",
    "avx2": "AVX2",
}
# What an ISA switch (see ISA_SWITCHES) leaves a library: its value -> the paths still allowed.
_CAPS = {
    "fbgemm": (
        "FBGEMM_ENABLE_INSTRUCTIONS",
        {
            "AVX2": {"avx2"},
            "AVX512": {"avx2", "avx512f"},
            "AVX512_256": {"avx2", "avx512f"},
            "AVX512_E1": {"avx2", "avx512f", "avx512_vnni"},
            "AVX512_E1_256": {"avx2", "avx512f", "avx512_vnni"},
        },
    ),
    "oneDNN": (
        "ONEDNN_MAX_CPU_ISA",
        {
            "SSE41": set(),
            "AVX": set(),
            "AVX2": {"avx2"},
            "AVX2_VNNI": {"avx2", "avx_vnni"},
            "AVX2_VNNI_2": {"avx2", "avx_vnni"},
            "AVX512_CORE": {"avx2", "avx_vnni", "avx512f"},
            "AVX512_CORE_VNNI": {"avx2", "avx_vnni", "avx512f", "avx512_vnni"},
            "AVX512_CORE_BF16": {"avx2", "avx_vnni", "avx512f", "avx512_vnni"},
            "AVX512_CORE_FP16": {"avx2", "avx_vnni", "avx512f", "avx512_vnni"},
        },
    ),
}


def int8_paths(features: list[str] | None = None, environ: dict[str, str] | None = None) -> dict[str, str]:
    """For each x86 int8 library, the instruction path its kernels take on a CPU with ``features``.

    ``features`` defaults to this CPU's (:func:`cpu_int8_features`); an ISA switch in ``environ`` (default:
    this process's environment) caps the library it belongs to. A CPU with none of a library's paths (ARM, or
    x86 without AVX2) gets "no x86 int8 SIMD path".
    """
    features = cpu_int8_features() if features is None else features
    environ = os.environ if environ is None else environ
    paths = {}
    for library, candidates in INT8_LIBRARIES.items():
        variable, caps = _CAPS.get(library, ("", {}))
        allowed = caps.get(environ.get(variable, "").upper()) if variable else None
        usable = [c for c in candidates if c in features and (allowed is None or c in allowed)]
        paths[library] = PATH_NAMES[usable[0]] if usable else "no x86 int8 SIMD path"
    return paths


# Switches that force the int8 and float kernels onto an older instruction set (see the README).
ISA_SWITCHES = ("FBGEMM_ENABLE_INSTRUCTIONS", "ONEDNN_MAX_CPU_ISA", "ATEN_CPU_CAPABILITY", "TORCHINDUCTOR_CPP_MARCH")


def machine_facts() -> dict[str, str]:
    """What a timing depends on: say it next to every number."""
    features = cpu_int8_features()
    facts = {
        "torch": torch.__version__,
        "threads": str(torch.get_num_threads()),
        "quantized engine": torch.backends.quantized.engine,
        "cpu": platform.processor() or platform.machine(),
        "cpu model": cpu_model(),
        "cpu capability": torch.backends.cpu.get_cpu_capability(),
        "int8 features": ", ".join(features) or "none found",
    }
    if any(f in features for f in PATH_NAMES):  # x86 with AVX2 or better: which path each library takes
        facts["int8 paths"] = ", ".join(f"{lib} {path}" for lib, path in int8_paths(features).items())
    forced = [f"{name}={os.environ[name]}" for name in ISA_SWITCHES if os.environ.get(name)]
    if forced:
        facts["forced kernels"] = ", ".join(forced)
    return facts


def pick_engine(machine: str, supported: list[str]) -> str:
    """x86 (fbgemm + oneDNN) on Intel/AMD, qnnpack on ARM and Apple Silicon; the int8 kernels differ."""
    arm = machine.lower() in ("arm64", "aarch64") or machine.lower().startswith("arm")
    for engine in ["qnnpack"] if arm else ["x86", "fbgemm", "qnnpack"]:
        if engine in supported:
            return engine
    raise RuntimeError(f"no int8 engine for {machine} in this torch build (it has {supported})")


# Names the quantized engine instead of the machine's default: TONE_QUANTIZED_ENGINE=qnnpack runs, on an x86
# laptop, the int8 arithmetic that Apple-silicon and other ARM readers get (not its NEON speed).
ENGINE_VARIABLE = "TONE_QUANTIZED_ENGINE"


def choose_quantized_engine() -> str:
    """Set and return the int8 engine: the one TONE_QUANTIZED_ENGINE names, else this machine's default."""
    supported = torch.backends.quantized.supported_engines
    engine = os.environ.get(ENGINE_VARIABLE, "").strip().lower() or pick_engine(platform.machine(), supported)
    if engine not in supported:
        choices = ", ".join(e for e in supported if e != "none")
        raise ValueError(f"{ENGINE_VARIABLE}={engine!r} is not an int8 engine of this torch build (it has {choices})")
    torch.backends.quantized.engine = engine
    return engine
