#!/usr/bin/env python3
"""cpu-by-program.py snap FILE | cpu-by-program.py diff BEFORE AFTER SECONDS

snap: the CPU seconds (user + system) each running process has used so far, by program:
Kafka's JVM, PostgreSQL (all its processes), and each reportflow program.
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


def snap():
    out = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        prog = program_of(pid)
        if not prog:
            continue
        try:
            fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # utime, stime, and those of waited-for children (the converters)
        out[pid] = [prog, sum(int(x) for x in fields[11:15]) / TICK]
    return out


def main():
    if sys.argv[1] == "snap":
        json.dump(snap(), open(sys.argv[2], "w"))
        return
    before, after = json.load(open(sys.argv[2])), json.load(open(sys.argv[3]))
    seconds = float(sys.argv[4])
    used = {}
    for pid, (prog, cpu) in after.items():
        used[prog] = used.get(prog, 0.0) + cpu - (before.get(pid, [prog, 0.0])[1])
    total = sum(used.values())
    for prog, cpu in sorted(used.items(), key=lambda x: -x[1]):
        print(f"    {prog:<24} {cpu:7.1f} s CPU  {cpu / seconds:5.2f} cores  {100 * cpu / total:4.0f}%")


if __name__ == "__main__":
    main()
