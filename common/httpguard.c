/* common/httpguard.c - request deadlines for libmicrohttpd connections. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include "common/httpguard.h"
#include "common/banned.h"

/* One open connection. Its socket stays open while it is in the list: libmicrohttpd
 * reports the close (which takes it out, under the lock) before it closes the socket. */
struct conn {
    struct httpguard *g;
    int fd;
    double deadline; /* CLOCK_MONOTONIC seconds; 0: no request arriving */
    struct conn *prev, *next;
};

struct httpguard {
    double timeout_s;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    int stopping;
    pthread_t thread;
    struct conn *head;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *watch(void *arg)
{
    struct httpguard *g = arg;
    pthread_mutex_lock(&g->lock);
    while (!g->stopping) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += 250 * 1000 * 1000;
        if (until.tv_nsec >= 1000000000) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000;
        }
        int rc = 0;
        while (!g->stopping && rc != ETIMEDOUT)
            rc = pthread_cond_timedwait(&g->wake, &g->lock, &until);
        double now = now_s();
        for (struct conn *c = g->head; c; c = c->next)
            if (c->deadline > 0 && now > c->deadline) {
                /* the connection's own thread sees the end of the stream and closes it */
                shutdown(c->fd, SHUT_RDWR);
                c->deadline = 0;
            }
    }
    pthread_mutex_unlock(&g->lock);
    return NULL;
}

enum ru_status httpguard_new(unsigned timeout_s, struct httpguard **out)
{
    struct httpguard *g = calloc(1, sizeof(*g));
    if (!g)
        return RU_ERR_NOMEM;
    g->timeout_s = timeout_s;
    pthread_mutex_init(&g->lock, NULL);
    pthread_cond_init(&g->wake, NULL);
    if (pthread_create(&g->thread, NULL, watch, g) != 0) {
        pthread_mutex_destroy(&g->lock);
        pthread_cond_destroy(&g->wake);
        free(g);
        return RU_ERR_IO;
    }
    *out = g;
    return RU_OK;
}

void httpguard_notify(void *cls, struct MHD_Connection *c, void **socket_context,
                      enum MHD_ConnectionNotificationCode code)
{
    struct httpguard *g = cls;
    struct conn *k = *socket_context;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
        if (!ci || !(k = calloc(1, sizeof(*k))))
            return; /* unguarded: the idle timeout still holds */
        k->g = g;
        k->fd = ci->connect_fd;
        pthread_mutex_lock(&g->lock);
        k->deadline = now_s() + g->timeout_s;
        k->next = g->head;
        if (g->head)
            g->head->prev = k;
        g->head = k;
        pthread_mutex_unlock(&g->lock);
        *socket_context = k;
        return;
    }
    if (!k)
        return;
    pthread_mutex_lock(&g->lock);
    if (k->prev)
        k->prev->next = k->next;
    else
        g->head = k->next;
    if (k->next)
        k->next->prev = k->prev;
    pthread_mutex_unlock(&g->lock);
    free(k);
    *socket_context = NULL;
}

static void set_clock(struct MHD_Connection *c, int running)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    struct conn *k = ci ? ci->socket_context : NULL;
    if (!k)
        return;
    pthread_mutex_lock(&k->g->lock);
    k->deadline = running ? now_s() + k->g->timeout_s : 0;
    pthread_mutex_unlock(&k->g->lock);
}

void httpguard_received(struct MHD_Connection *c)
{
    set_clock(c, 0);
}

void httpguard_answered(struct MHD_Connection *c)
{
    set_clock(c, 1);
}

void httpguard_free(struct httpguard *g)
{
    if (!g)
        return;
    pthread_mutex_lock(&g->lock);
    g->stopping = 1;
    pthread_cond_signal(&g->wake);
    pthread_mutex_unlock(&g->lock);
    pthread_join(g->thread, NULL);
    /* connections never reported closed (none, after MHD_stop_daemon) */
    for (struct conn *k = g->head, *next; k; k = next) {
        next = k->next;
        free(k);
    }
    pthread_mutex_destroy(&g->lock);
    pthread_cond_destroy(&g->wake);
    free(g);
}
