/* sandbox.c - the converters' seccomp filter: see sandbox.h. */
#define _GNU_SOURCE /* memfd_create */
#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/landlock.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef LANDLOCK_ACCESS_FS_TRUNCATE /* Landlock ABI 3 (Linux 6.2), after bookworm's headers */
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)
#endif

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

/* What Landlock governs here: every way of writing to the file system, as far as the kernel's
   ABI knows them (reading and executing stay free: converters read fonts and libraries). */
static __u64 handled_writes(int abi)
{
    __u64 fs = LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_REMOVE_DIR |
               LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_MAKE_CHAR |
               LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_MAKE_REG |
               LANDLOCK_ACCESS_FS_MAKE_SOCK | LANDLOCK_ACCESS_FS_MAKE_FIFO |
               LANDLOCK_ACCESS_FS_MAKE_BLOCK | LANDLOCK_ACCESS_FS_MAKE_SYM;
    if (abi >= 2) {
        fs |= LANDLOCK_ACCESS_FS_REFER;
    }
    if (abi >= 3) {
        fs |= LANDLOCK_ACCESS_FS_TRUNCATE;
    }
    return fs;
}

/* Allow @p access beneath @p path in @p ruleset. @returns 0 or a negative errno. */
static int allow_beneath(int ruleset, const char *path, __u64 access)
{
    int fd = open(path, O_PATH | O_CLOEXEC | O_DIRECTORY);
    if (fd < 0) {
        return -errno;
    }
    struct landlock_path_beneath_attr beneath = {access, fd};
    long rc = syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &beneath, 0);
    int err = rc != 0 ? -errno : 0;
    close(fd);
    return err;
}

/*
 * A Landlock ruleset that lets writes happen only beneath @p dir (and to devices such as
 * /dev/null), and local sockets be made and removed beneath @p socket_dir (may be NULL). @returns
 * its fd, -1 where the kernel has no Landlock (the filter still holds), or a negative errno below
 * -1 on failure.
 */
static int writes_only_beneath(const char *dir, const char *socket_dir)
{
    long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
    if (abi < 1) {
        return -1;
    }
    __u64 all = handled_writes((int)abi);
    struct landlock_ruleset_attr attr = {.handled_access_fs = all};
    int ruleset = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr), 0);
    if (ruleset < 0) {
        return errno == ENOMEM ? -ENOMEM : -1;
    }
    int rc = allow_beneath(ruleset, dir, all);
    if (rc == 0) { /* /dev/null and the terminal a tool may open for writing; nothing made */
        rc = allow_beneath(ruleset, "/dev",
                           LANDLOCK_ACCESS_FS_WRITE_FILE |
                               (abi >= 3 ? LANDLOCK_ACCESS_FS_TRUNCATE : 0));
    }
    if (rc == 0 && socket_dir) { /* a local socket made there, and removed after */
        rc = allow_beneath(ruleset, socket_dir,
                           LANDLOCK_ACCESS_FS_MAKE_SOCK | LANDLOCK_ACCESS_FS_REMOVE_FILE);
    }
    if (rc != 0) {
        close(ruleset);
        return rc < -1 ? rc : -EINVAL;
    }
    return ruleset;
}

int sandbox_build(struct sandbox *sb, const char *writable_dir, const char *socket_dir,
                  char *errstr, size_t errstr_size)
{
    *sb = (struct sandbox){NULL, 0, -1};
    int ruleset = writes_only_beneath(writable_dir, socket_dir);
    if (ruleset < -1) {
        snprintf(errstr, errstr_size, "cannot confine the converter's writes to %s: %s",
                 writable_dir, strerror(-ruleset));
        return -1;
    }
    sb->writes_fd = ruleset;
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
    if (!ctx) {
        snprintf(errstr, errstr_size, "cannot make the converter's seccomp filter: out of memory");
        sandbox_release(sb);
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
        sandbox_release(sb);
        return -1;
    }
    return 0;
}

bool sandbox_enter(const struct sandbox *sb)
{
    struct sock_fprog prog = {sb->len, sb->prog};
    return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 &&
           (sb->writes_fd < 0 || syscall(SYS_landlock_restrict_self, sb->writes_fd, 0) == 0) &&
           prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) == 0;
}

void sandbox_release(struct sandbox *sb)
{
    free(sb->prog);
    sb->prog = NULL;
    sb->len = 0;
    if (sb->writes_fd >= 0) {
        close(sb->writes_fd);
    }
    sb->writes_fd = -1;
}
