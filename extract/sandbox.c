/* sandbox.c - the converters' seccomp filter: see sandbox.h. */
#define _GNU_SOURCE /* memfd_create */
#include "sandbox.h"

#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

/* What no converter calls: each fails with EPERM. */
static const int DENIED[] = {
    SCMP_SYS(ptrace),
    SCMP_SYS(process_vm_readv),
    SCMP_SYS(process_vm_writev),
    SCMP_SYS(mount),
    SCMP_SYS(umount2),
    SCMP_SYS(pivot_root),
    SCMP_SYS(chroot),
    SCMP_SYS(unshare),
    SCMP_SYS(setns),
    SCMP_SYS(kexec_load),
    SCMP_SYS(kexec_file_load),
    SCMP_SYS(init_module),
    SCMP_SYS(finit_module),
    SCMP_SYS(delete_module),
    SCMP_SYS(bpf),
    SCMP_SYS(perf_event_open),
    SCMP_SYS(keyctl),
    SCMP_SYS(add_key),
    SCMP_SYS(request_key),
    SCMP_SYS(userfaultfd),
    SCMP_SYS(io_uring_setup),
    SCMP_SYS(open_by_handle_at),
    SCMP_SYS(name_to_handle_at),
    SCMP_SYS(reboot),
    SCMP_SYS(swapon),
    SCMP_SYS(swapoff),
    SCMP_SYS(acct),
    SCMP_SYS(settimeofday),
    SCMP_SYS(clock_settime),
    SCMP_SYS(adjtimex),
    SCMP_SYS(syslog),
    SCMP_SYS(quotactl),
};

/* The filter's rules into @p ctx. @returns 0, or a negative errno. */
static int add_rules(scmp_filter_ctx ctx)
{
    for (size_t i = 0; i < sizeof(DENIED) / sizeof(DENIED[0]); i++) {
        int rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), DENIED[i], 0);
        if (rc != 0) {
            return rc;
        }
    }
    /* LibreOffice talks to itself over local sockets; nothing needs another kind */
    return seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(socket), 1,
                            SCMP_A0(SCMP_CMP_NE, AF_UNIX));
}

/* The BPF program of @p ctx, exported through a memory file (libseccomp 2.5 writes to an fd). */
static int export_prog(scmp_filter_ctx ctx, struct sandbox *sb)
{
    int fd = memfd_create("rf-seccomp", MFD_CLOEXEC);
    if (fd < 0) {
        return -errno;
    }
    int rc = seccomp_export_bpf(ctx, fd);
    off_t size = rc == 0 ? lseek(fd, 0, SEEK_END) : -1;
    if (rc == 0 && (size <= 0 || size % (off_t)sizeof(struct sock_filter) != 0 ||
                    size / (off_t)sizeof(struct sock_filter) > BPF_MAXINSNS)) {
        rc = -EINVAL;
    }
    if (rc == 0 && !(sb->prog = malloc((size_t)size))) {
        rc = -ENOMEM;
    }
    if (rc == 0 && pread(fd, sb->prog, (size_t)size, 0) != (ssize_t)size) {
        rc = -EIO;
    }
    close(fd);
    if (rc != 0) {
        free(sb->prog);
        sb->prog = NULL;
        return rc;
    }
    sb->len = (unsigned short)(size / (off_t)sizeof(struct sock_filter));
    return 0;
}

int sandbox_build(struct sandbox *sb, char *errstr, size_t errstr_size)
{
    *sb = (struct sandbox){NULL, 0};
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
    if (!ctx) {
        snprintf(errstr, errstr_size, "cannot make the converter's seccomp filter: out of memory");
        return -1;
    }
    int rc = add_rules(ctx);
    if (rc == 0) {
        rc = export_prog(ctx, sb);
    }
    seccomp_release(ctx);
    if (rc != 0) {
        snprintf(errstr, errstr_size, "cannot make the converter's seccomp filter: %s",
                 strerror(-rc));
        return -1;
    }
    return 0;
}

bool sandbox_enter(const struct sandbox *sb)
{
    struct sock_fprog prog = {sb->len, sb->prog};
    return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 &&
           prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) == 0;
}

void sandbox_release(struct sandbox *sb)
{
    free(sb->prog);
    sb->prog = NULL;
    sb->len = 0;
}
