# proc.sh - sourced by stack.sh and kafka.sh: what tells one process from a recycled pid.

# proc_start PID: when the process started (clock ticks since boot, field 22 of its
# /proc/PID/stat), nothing when there is no such process or it is a zombie
proc_start() {
    local stat fields
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
    # fields after the command name, which may hold spaces and ')': state is field 3
    read -r -a fields <<<"${stat##*) }"
    case "${fields[0]:-}" in Z | X | "") return 0 ;; esac
    echo "${fields[19]:-}"
}
