/*
 * tests/tools/faultproxy.c - a TLS proxy between the POS and the issuer that fails on
 * demand, for the exactly-once tests. It terminates TLS with the issuer's own
 * certificate (so the POS trusts it as it trusts the issuer), reads each HTTP request,
 * and for requests whose "METHOD PATH" starts with the fault file's target does what the
 * file says; everything else passes through to the issuer over TLS.
 *
 * The fault file holds lines "MODE [TARGET]", read again for every request; the first
 * whose TARGET the request's "METHOD PATH" starts with (or without a TARGET) applies:
 *   pass         forward, answer
 *   drop_before  close the connection without forwarding: the issuer never sees it
 *   drop_after   forward, let the issuer apply it, close without answering
 *   delay        forward, hold the answer 30 s (past the POS's timeout), then answer
 *   reset_mid    forward, send half the answer, reset the connection
 *
 * usage: faultproxy CERT KEY UPSTREAM_PORT FAULT_FILE   (prints "port N" when listening)
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define MSG_MAX (1 << 20)

static SSL_CTX *server_ctx, *client_ctx;
static int upstream_port;
static const char *fault_file;

struct conn {
    int fd;
};

/* Read one HTTP message (headers and Content-Length body) from S into BUF; its length,
 * or -1 when the peer closed or sent something else. */
static long read_message(SSL *s, char *buf, size_t cap)
{
    size_t n = 0;
    char *end = NULL;
    while (!end) {
        if (n == cap)
            return -1;
        int r = SSL_read(s, buf + n, (int)(cap - n));
        if (r <= 0)
            return -1;
        n += (size_t)r;
        buf[n < cap ? n : cap - 1] = '\0';
        end = strstr(buf, "\r\n\r\n");
    }
    size_t head = (size_t)(end + 4 - buf), body = 0;
    for (char *h = buf; h < end; h = strstr(h, "\r\n") + 2)
        if (!strncasecmp(h, "Content-Length:", 15))
            body = strtoul(h + 15, NULL, 10);
    while (n < head + body) {
        if (n == cap)
            return -1;
        int r = SSL_read(s, buf + n, (int)(cap - n));
        if (r <= 0)
            return -1;
        n += (size_t)r;
    }
    return (long)n;
}

static int write_all(SSL *s, const char *buf, size_t n)
{
    while (n) {
        int w = SSL_write(s, buf, (int)n);
        if (w <= 0)
            return 0;
        buf += w;
        n -= (size_t)w;
    }
    return 1;
}

/* The mode for REQUEST: the first line of the fault file whose target it starts with. */
static void fault_for(const char *request, char *mode, size_t modelen)
{
    char line[256];
    snprintf(mode, modelen, "pass");
    FILE *f = fopen(fault_file, "r");
    while (f && fgets(line, sizeof(line), f)) {
        char m[32], target[200] = "";
        if (sscanf(line, "%31s %199[^\n]", m, target) < 1)
            continue;
        if (!target[0] || !strncmp(request, target, strlen(target))) {
            snprintf(mode, modelen, "%s", m);
            break;
        }
    }
    if (f)
        fclose(f);
}

static int connect_upstream(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)upstream_port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

static void reset(int fd)
{
    struct linger l = {1, 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
}

static void *serve(void *arg)
{
    struct conn *c = arg;
    char *req = malloc(MSG_MAX), *resp = malloc(MSG_MAX);
    SSL *down = SSL_new(server_ctx), *up = NULL;
    int upfd = -1;
    SSL_set_fd(down, c->fd);
    if (!req || !resp || SSL_accept(down) != 1)
        goto out;
    for (;;) {
        long n = read_message(down, req, MSG_MAX);
        if (n < 0)
            break;
        char mode[32], first[256];
        size_t fl = strcspn(req, "\r\n");
        snprintf(first, sizeof(first), "%.*s", (int)(fl < 255 ? fl : 255), req);
        fault_for(first, mode, sizeof(mode));
        fprintf(stderr, "faultproxy: %s: %s\n", first, mode);
        if (!strcmp(mode, "drop_before")) {
            reset(c->fd);
            break;
        }
        if (!up) {
            if ((upfd = connect_upstream()) < 0)
                break;
            up = SSL_new(client_ctx);
            SSL_set_fd(up, upfd);
            if (SSL_connect(up) != 1)
                break;
        }
        long m;
        if (!write_all(up, req, (size_t)n) || (m = read_message(up, resp, MSG_MAX)) < 0)
            break;
        if (!strcmp(mode, "drop_after")) {
            reset(c->fd);
            break;
        }
        if (!strcmp(mode, "delay"))
            sleep(30);
        if (!strcmp(mode, "reset_mid")) {
            write_all(down, resp, (size_t)m / 2);
            reset(c->fd);
            break;
        }
        if (!write_all(down, resp, (size_t)m))
            break;
    }
out:
    if (up)
        SSL_free(up);
    if (upfd >= 0)
        close(upfd);
    SSL_free(down);
    close(c->fd);
    free(req);
    free(resp);
    free(c);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: faultproxy CERT KEY UPSTREAM_PORT FAULT_FILE\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    upstream_port = atoi(argv[3]);
    fault_file = argv[4];
    server_ctx = SSL_CTX_new(TLS_server_method());
    client_ctx = SSL_CTX_new(TLS_client_method());
    if (SSL_CTX_use_certificate_chain_file(server_ctx, argv[1]) != 1 ||
        SSL_CTX_use_PrivateKey_file(server_ctx, argv[2], SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_load_verify_locations(client_ctx, argv[1], NULL) != 1) {
        ERR_print_errors_fp(stderr);
        return 1;
    }
    SSL_CTX_set_verify(client_ctx, SSL_VERIFY_PEER, NULL);
    int ls = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    struct sockaddr_in a = {.sin_family = AF_INET};
    socklen_t alen = sizeof(a);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(ls, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(ls, 64) != 0 ||
        getsockname(ls, (struct sockaddr *)&a, &alen) != 0) {
        perror("faultproxy: listen");
        return 1;
    }
    printf("port %d\n", ntohs(a.sin_port));
    fflush(stdout);
    for (;;) {
        int fd = accept(ls, NULL, NULL);
        if (fd < 0)
            continue;
        struct conn *c = malloc(sizeof(*c));
        pthread_t th;
        if (!c) {
            close(fd);
            continue;
        }
        c->fd = fd;
        if (pthread_create(&th, NULL, serve, c) != 0) {
            close(fd);
            free(c);
            continue;
        }
        pthread_detach(th);
    }
}
