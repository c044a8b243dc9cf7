/*
 * live_target.c: the target process of `smtp-harness fuzz --exec CMD`
 * (live_private.h). Owns the child (sh -c CMD in its own process group), the
 * pipe its stderr goes through (read without blocking: AddressSanitizer,
 * UndefinedBehaviorSanitizer, "runtime error" and "SUMMARY:" lines are
 * findings; every line is copied to the log), its death (waitpid without
 * waiting; the campaign restarts it) and, with --afl-shm, the System V shared
 * memory coverage map whose id goes to the child as __AFL_SHM_ID (AFL++'s
 * runtime attaches to it at start; a daemon keeps writing into it).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <unistd.h>

#include "live/live_private.h"
#include "smtph/clock.h"

#define MAP_SIZE_DEFAULT 65536u
#define MAP_SIZE_MAX     (1u << 28)
#define STOP_GRACE_MS    2000

void
live_target_init(struct live_target *t, const char *cmd)
{
	memset(t, 0, sizeof(*t));
	t->cmd = cmd;
	t->err_fd = -1;
	t->shm_id = -1;
}

int
live_target_shm(struct live_target *t, char *err, size_t errlen)
{
	const char *env = getenv("AFL_MAP_SIZE");
	unsigned long size = MAP_SIZE_DEFAULT;
	void *p;

	if (env != NULL && *env != '\0') {
		char *end;

		errno = 0;
		size = strtoul(env, &end, 10);
		if (errno != 0 || *end != '\0' || size < 64 || size > MAP_SIZE_MAX) {
			snprintf(err, errlen, "AFL_MAP_SIZE=%s: not a size from 64 to %u", env,
			         MAP_SIZE_MAX);
			return -1;
		}
	}
	t->shm_id = shmget(IPC_PRIVATE, size, IPC_CREAT | IPC_EXCL | 0600);
	if (t->shm_id < 0) {
		snprintf(err, errlen, "shmget(%lu): %s", size, strerror(errno));
		return -1;
	}
	p = shmat(t->shm_id, NULL, 0);
	if (p == (void *)-1) {
		snprintf(err, errlen, "shmat: %s", strerror(errno));
		shmctl(t->shm_id, IPC_RMID, NULL);
		t->shm_id = -1;
		return -1;
	}
	/* Marked for removal now: it goes away with the last detach, whatever happens. */
	shmctl(t->shm_id, IPC_RMID, NULL);
	t->map = p;
	t->map_size = size;
	memset(t->map, 0, size);
	return 0;
}

int
live_target_start(struct live_target *t, char *err, size_t errlen)
{
	int pfd[2];
	pid_t pid;

	if (pipe(pfd) < 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	if (pid == 0) {
		char id[32];

		setpgid(0, 0);
		dup2(pfd[1], 2);
		close(pfd[0]);
		close(pfd[1]);
		if (t->shm_id >= 0) {
			snprintf(id, sizeof(id), "%d", t->shm_id);
			setenv("__AFL_SHM_ID", id, 1);
			snprintf(id, sizeof(id), "%zu", t->map_size);
			setenv("AFL_MAP_SIZE", id, 1);
		}
		execl("/bin/sh", "sh", "-c", t->cmd, (char *)NULL);
		_exit(127);
	}
	setpgid(pid, pid);
	close(pfd[1]);
	fcntl(pfd[0], F_SETFL, fcntl(pfd[0], F_GETFL) | O_NONBLOCK);
	fcntl(pfd[0], F_SETFD, FD_CLOEXEC);
	t->pid = (int)pid;
	t->err_fd = pfd[0];
	t->linelen = 0;
	return 0;
}

static bool
sanitizer_line(const char *l)
{
	return strstr(l, "AddressSanitizer") != NULL ||
	       strstr(l, "UndefinedBehaviorSanitizer") != NULL ||
	       strstr(l, "LeakSanitizer") != NULL || strstr(l, "runtime error:") != NULL ||
	       strncmp(l, "SUMMARY:", 8) == 0 || strstr(l, "==ERROR:") != NULL;
}

static void
stderr_line(struct live_target *t)
{
	t->line[t->linelen] = '\0';
	if (t->log != NULL)
		fprintf(t->log, "%s\n", t->line);
	if (!t->sanitizer && sanitizer_line(t->line)) {
		t->sanitizer = true;
		snprintf(t->why, sizeof(t->why), "sanitizer: %.200s", t->line);
	}
	t->linelen = 0;
}

void
live_target_poll(struct live_target *t)
{
	char buf[4096];
	int status;

	while (t->err_fd >= 0) {
		ssize_t r = read(t->err_fd, buf, sizeof(buf));

		if (r <= 0) {
			if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
				close(t->err_fd);
				t->err_fd = -1;
			}
			break;
		}
		for (ssize_t i = 0; i < r; i++) {
			if (buf[i] == '\n' || t->linelen + 1 >= sizeof(t->line))
				stderr_line(t);
			if (buf[i] != '\n')
				t->line[t->linelen++] = buf[i];
		}
	}
	if (t->pid > 0 && waitpid(t->pid, &status, WNOHANG) == t->pid) {
		t->pid = 0;
		t->died = true;
		if (!t->sanitizer) {
			if (WIFSIGNALED(status))
				snprintf(t->why, sizeof(t->why), "the target died of signal %d",
				         WTERMSIG(status));
			else
				snprintf(t->why, sizeof(t->why), "the target exited with status %d",
				         WEXITSTATUS(status));
		}
	}
}

int
live_target_fd(const struct live_target *t)
{
	return t->err_fd;
}

enum live_finding_type
live_target_take(struct live_target *t, char *why, size_t cap)
{
	enum live_finding_type f = LIVE_F_NONE;

	if (t->sanitizer)
		f = LIVE_F_SANITIZER;
	else if (t->died)
		f = LIVE_F_CRASH;
	if (f != LIVE_F_NONE)
		snprintf(why, cap, "%s", t->why);
	t->sanitizer = t->died = false;
	return f;
}

void
live_target_stop(struct live_target *t)
{
	if (t->pid > 0) {
		long long until = clock_mono_ms() + STOP_GRACE_MS;
		int status;

		kill(-t->pid, SIGTERM);
		while (waitpid(t->pid, &status, WNOHANG) == 0) {
			if (clock_mono_ms() >= until) {
				kill(-t->pid, SIGKILL);
				waitpid(t->pid, &status, 0);
				break;
			}
			usleep(10000); /* shutting down only: never on the campaign's path */
		}
		t->pid = 0;
	}
	if (t->err_fd >= 0) {
		close(t->err_fd);
		t->err_fd = -1;
	}
}

void
live_target_free(struct live_target *t)
{
	live_target_stop(t);
	if (t->map != NULL) {
		shmdt(t->map); /* marked for removal at creation: it goes now */
		t->map = NULL;
	}
}
