/*
 * stallprobe — how late does a thread wake up on this machine? For tests/validation/validate.sh:
 * a thread that sleeps 1 ms at a time to an absolute deadline (CLOCK_MONOTONIC, timer slack
 * 1 ns) and records how late each wake-up is, until SIGTERM or SIGINT; then it prints
 *
 *     wakeups N late_mean_us X late_max_ms Y over_1ms A over_5ms B over_10ms C
 *
 * The script runs it at a higher real-time priority than the measured programs, so what
 * delays it is what no priority in this machine can prevent: the hypervisor taking the CPU
 * away, interrupts and softirq work (another program's loopback traffic), long kernel
 * sections. A measurement during which the probe woke 10 ms or more late was taken on a
 * machine that stopped for as long, which the model does not know about; the script measures
 * it again.
 *
 * Rejected: judging the disturbance from the measurement itself (its tail or per-second
 * series): that would reject a run because it disagrees with the model. Built by the script
 * with `cc` (it is a test tool, not a program of the project).
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <time.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig) {
    (void)sig;
    stop = 1;
}

static int64_t now_ns(void) {
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int main(void) {
    struct sigaction sa;
    int64_t n = 0, sum = 0, max = 0, over1 = 0, over5 = 0, over10 = 0;

    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
    while (!stop) {
        int64_t deadline = now_ns() + 1000000, late;
        struct timespec ts = {(time_t)(deadline / 1000000000), (long)(deadline % 1000000000)};

        /* EINTR: the signal; the loop ends without counting this wake-up */
        if (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) != 0) continue;
        late = now_ns() - deadline;
        n++;
        sum += late;
        if (late > max) max = late;
        over1 += late >= 1000000;
        over5 += late >= 5000000;
        over10 += late >= 10000000;
    }
    printf("wakeups %lld late_mean_us %.1f late_max_ms %.2f over_1ms %lld over_5ms %lld "
           "over_10ms %lld\n",
           (long long)n, n ? (double)sum / (double)n / 1e3 : 0.0, (double)max / 1e6,
           (long long)over1, (long long)over5, (long long)over10);
    return 0;
}
