#!/usr/bin/env python3
"""CPU accounting for scripts/load.sh: where a run's CPU time went, per process, and the
throughput bound that follows from it on this machine.

  cpu.py snap FILE                        what every process and the machine have used so far
  cpu.py report BEFORE AFTER FIXES [GENERATOR-CPU-FILE]
                                          the difference, per component, in µs of CPU per fix

Components: each `udaconnect serve` by the name of its data directory (load.sh gives each
process its own, e.g. `writer-1`), PostgreSQL (every backend, the WAL writer, the
checkpointer…), the Kafka broker (tansu), and the load generator (`udaconnect simulate`,
which has exited by the second snapshot: load.sh runs it under /usr/bin/time and passes the
file). What the machine did beyond those is "other".

Linux only (/proc). Clock ticks are 1/CLK_TCK s.
"""

import json
import os
import sys

TICK = os.sysconf("SC_CLK_TCK")


def component(pid: str) -> str | None:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            argv = [a.decode(errors="replace") for a in f.read().split(b"\0") if a]
        with open(f"/proc/{pid}/comm") as f:
            comm = f.read().strip()
    except OSError:
        return None
    if not argv:
        return None
    exe = os.path.basename(argv[0])
    # The binary may be a copy under another name (load.sh's LOAD_BIN, e.g. udaconnect-glibc).
    if exe.startswith("udaconnect") and "serve" in argv:
        if "--data-dir" in argv:
            return "udaconnect " + os.path.basename(argv[argv.index("--data-dir") + 1].rstrip("/"))
        return "udaconnect serve"
    if exe.startswith("udaconnect") and "simulate" in argv:
        return "load generator"
    if comm == "postgres" or exe == "postgres" or argv[0].startswith("postgres:"):
        return "PostgreSQL"
    if "tansu" in exe or comm.startswith("tansu"):
        return "Kafka broker (tansu)"
    return None


def process_ticks(pid: str) -> int | None:
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2 :].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def snap() -> dict:
    with open("/proc/stat") as f:
        cpu = [int(x) for x in f.readline().split()[1:]]
    idle = cpu[3] + cpu[4]  # idle + iowait
    processes = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        name = component(pid)
        ticks = process_ticks(pid) if name else None
        if name and ticks is not None:
            processes[pid] = [name, ticks]
    with open("/proc/uptime") as f:
        uptime = float(f.read().split()[0])
    return {
        "busy": sum(cpu[:8]) - idle,
        "cores": os.cpu_count(),
        "uptime": uptime,
        "processes": processes,
    }


def report(before: dict, after: dict, fixes: int, generator_file: str | None) -> None:
    wall = after["uptime"] - before["uptime"]
    cores = after["cores"]
    busy = (after["busy"] - before["busy"]) / TICK
    used: dict[str, float] = {}
    for pid, (name, ticks) in after["processes"].items():
        # A process started during the run counts from zero.
        start = before["processes"].get(pid, [name, 0])[1]
        used[name] = used.get(name, 0.0) + (ticks - start) / TICK
    if generator_file:
        with open(generator_file) as f:
            user, system = (float(x) for x in f.read().split()[-2:])
        used["load generator"] = user + system
    accounted = sum(used.values())
    print(
        f"CPU over the run: {wall:.1f} s wall, {cores} cores, {busy:.1f} s busy "
        f"({100 * busy / (wall * cores):.0f} % of the machine); {fixes} fixes"
    )
    rows = sorted(used.items(), key=lambda kv: -kv[1])
    rows.append(("other (the rest of the machine)", max(busy - accounted, 0.0)))
    for name, seconds in rows:
        print(
            f"  {name:<34} {seconds:7.1f} s  {100 * seconds / wall:4.0f} % of a core"
            f"  {1e6 * seconds / max(fixes, 1):6.1f} µs/fix"
        )
    pipeline = sum(s for n, s in used.items() if n != "load generator")
    # The bound is about UdaConnect: none when no UdaConnect process ran (the raw COPY).
    if fixes and any(n.startswith("udaconnect") for n in used):
        per_fix = pipeline / fixes
        print(
            f"  UdaConnect and its services (without the load generator): {1e6 * per_fix:.1f} µs "
            f"of CPU per fix -> at most {cores / per_fix:,.0f} fixes/s on {cores} cores "
            f"with a load generator that costs nothing"
        )


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "snap":
        with open(sys.argv[2], "w") as f:
            json.dump(snap(), f)
    elif len(sys.argv) in (5, 6) and sys.argv[1] == "report":
        with open(sys.argv[2]) as f:
            before = json.load(f)
        with open(sys.argv[3]) as f:
            after = json.load(f)
        report(before, after, int(sys.argv[4]), sys.argv[5] if len(sys.argv) == 6 else None)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
