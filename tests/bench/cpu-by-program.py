#!/usr/bin/env python3
"""cpu-by-program.py snap FILE | cpu-by-program.py diff BEFORE AFTER SECONDS

snap: the CPU seconds (user + system) each running process has used so far, by program:
Kafka's JVM, PostgreSQL (all its processes), and each reportflow program. The JVM's JIT
compiler threads are a row of their own: a broker still compiling its code is warming up,
not serving the pipeline.
diff: what each program used between two snapshots, in seconds and in cores over SECONDS,
largest first: where a benchmark's time went.
"""
import json
import os
import sys

TICK = os.sysconf("SC_CLK_TCK")


def program_of(pid):
    try:
        cmd = open(f"/proc/{pid}/cmdline", "rb").read().split(b"\0")
    except OSError:
        return None
    exe = os.path.basename(cmd[0].decode(errors="replace")) if cmd and cmd[0] else ""
    if exe.startswith("postgres") or exe == "postmaster":
        return "postgresql"
    if exe == "java" and any(b"kafka" in a.lower() for a in cmd):
        return "kafka (java)"
    if exe.startswith("reportflow-") or exe.startswith("rf-convert"):
        return exe
    return None


def cpu_of(stat_path, fields_wanted):
    try:
        fields = open(stat_path).read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return sum(int(x) for x in fields[fields_wanted]) / TICK


def jit_compiler_threads(pid):
    """{tid: CPU seconds} of the JVM's C1/C2 compiler threads ("C2 CompilerThre...")."""
    out = {}
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in tids:
        try:
            comm = open(f"/proc/{pid}/task/{tid}/comm").read()
        except OSError:
            continue
        cpu = cpu_of(f"/proc/{pid}/task/{tid}/stat", slice(11, 13)) if "CompilerThre" in comm else None
        if cpu is not None:
            out[tid] = cpu
    return out


def snap():
    out = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        prog = program_of(pid)
        if not prog:
            continue
        # utime, stime, and those of waited-for children (the converters)
        cpu = cpu_of(f"/proc/{pid}/stat", slice(11, 15))
        if cpu is not None:
            out[pid] = [prog, cpu]
            if prog == "kafka (java)":
                out[pid].append(jit_compiler_threads(pid))
    return out


def used_by_program(before, after):
    """CPU seconds by program between two snapshots. The JVM starts and ends compiler threads
    as their queue grows and shrinks; one ended between the snapshots took its time into the
    process's total, so it is counted on the JVM's own row, not the compiler's (and a snapshot
    without threads counts them all there)."""
    used = {}
    for pid, entry in after.items():
        prog, cpu = entry[0], entry[1]
        was = before.get(pid, [prog, 0.0])
        spent = cpu - was[1]
        if len(entry) > 2 and len(was) > 2:
            jit = 0.0
            for tid, t in entry[2].items():
                prev = was[2].get(tid, 0.0)
                jit += t - prev if prev <= t else t  # a thread id given again starts from 0
            used["kafka (java): JIT compiler"] = used.get("kafka (java): JIT compiler", 0.0) + jit
            spent -= jit
        used[prog] = used.get(prog, 0.0) + spent
    return used


def main():
    if sys.argv[1] == "snap":
        json.dump(snap(), open(sys.argv[2], "w"))
        return
    before, after = json.load(open(sys.argv[2])), json.load(open(sys.argv[3]))
    seconds = float(sys.argv[4])
    used = used_by_program(before, after)
    total = sum(used.values())
    for prog, cpu in sorted(used.items(), key=lambda x: -x[1]):
        print(f"    {prog:<28} {cpu:7.1f} s CPU  {cpu / seconds:5.2f} cores  {100 * cpu / total:4.0f}%")


if __name__ == "__main__":
    main()
