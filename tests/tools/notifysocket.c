/*
 * tests/tools/notifysocket.c - the service manager's end of sd_notify(3), for the
 * readiness tests: listens on a unix datagram socket (the $NOTIFY_SOCKET given to the
 * server) and writes each message it gets to OUT, its fields one a line, then "--".
 *
 * With PORT_FILE (the server's standard output), on a message holding READY=1 it connects
 * at once to 127.0.0.1 on the port the file's last "port N" names, and writes
 * "CONNECT ok" or "CONNECT failed: WHY" before the "--": what a client started by
 * `systemctl start` returning would find.
 *
 * usage: notifysocket SOCKET_PATH OUT [PORT_FILE]   (runs until killed; "ready" on stdout
 * once it listens)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* The port in the last line of PATH holding "port N"; 0 when none. */
static unsigned port_in(const char *path)
{
    FILE *f = fopen(path, "r");
    char line[1024];
    unsigned port = 0;
    while (f && fgets(line, sizeof(line), f)) {
        const char *p = strstr(line, "port ");
        if (p)
            port = (unsigned)strtoul(p + 5, NULL, 10);
    }
    if (f)
        fclose(f);
    return port;
}

static void try_connect(FILE *out, const char *port_file)
{
    unsigned port = port_in(port_file);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (!port)
        fprintf(out, "CONNECT failed: no port in %s\n", port_file);
    else if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
        fprintf(out, "CONNECT failed: port %u: %s\n", port, strerror(errno));
    else
        fprintf(out, "CONNECT ok\n");
    if (fd >= 0)
        close(fd);
}

int main(int argc, char **argv)
{
    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: notifysocket SOCKET_PATH OUT [PORT_FILE]\n");
        return 2;
    }
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(argv[1]) >= sizeof(sa.sun_path)) {
        fprintf(stderr, "notifysocket: the path %s is too long for a unix socket\n", argv[1]);
        return 2;
    }
    memcpy(sa.sun_path, argv[1], strlen(argv[1]) + 1);
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
        fprintf(stderr, "notifysocket: %s: %s\n", argv[1], strerror(errno));
        return 7;
    }
    FILE *out = fopen(argv[2], "a");
    if (!out) {
        fprintf(stderr, "notifysocket: %s: %s\n", argv[2], strerror(errno));
        return 7;
    }
    printf("ready\n");
    fflush(stdout);
    for (;;) {
        char msg[4097];
        ssize_t n = recv(fd, msg, sizeof(msg) - 1, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            fprintf(stderr, "notifysocket: recv: %s\n", strerror(errno));
            return 7;
        }
        msg[n] = '\0';
        fprintf(out, "%s\n", msg);
        if (argc == 4 && strstr(msg, "READY=1"))
            try_connect(out, argv[3]);
        fprintf(out, "--\n");
        fflush(out);
    }
}
