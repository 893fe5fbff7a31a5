/*
 * i18n/pagegen.c - reup-pagegen, a build tool: a page template rendered in one language,
 * with the catalogue's keys under PREFIX... handed to the page's script as JSON.
 *   reup-pagegen LANG TEMPLATE OUT PREFIX...
 * Exit 0, or 1 with a message naming the file and what is wrong (a build fault).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "i18n/catalog.h"
#include "i18n/pagetemplate.h"
#include "common/textfile.h"
#include "common/banned.h"

#define TEMPLATE_MAX (1024 * 1024)

int main(int argc, char **argv)
{
    char err[256], cur[16];
    char *tmpl = NULL;
    if (argc < 5 || !catalog_known(argv[1])) {
        fprintf(stderr, "usage: reup-pagegen LANG TEMPLATE OUT PREFIX...\n  LANG: en, da or es\n");
        return 1;
    }
    if (catalog_check(err, sizeof(err)) != RU_OK) {
        fprintf(stderr, "reup-pagegen: %s\n", err);
        return 1;
    }
    if (textfile_read_all(argv[2], TEMPLATE_MAX, &tmpl) != RU_OK) {
        fprintf(stderr, "reup-pagegen: %s cannot be read\n", argv[2]);
        return 1;
    }
    struct strbuf catalog, page;
    strbuf_init(&catalog, 0);
    strbuf_init(&page, 0);
    snprintf(cur, sizeof(cur), "cur_%s", argv[1]);
    int ok = catalog_json(argv[1], (const char *const *)argv + 4, &catalog) == RU_OK;
    const struct page_var vars[] = {{"lang", argv[1]}, {"catalog", strbuf_str(&catalog)}, {cur, "true"}};
    if (ok && pagetemplate_render(tmpl, argv[1], vars, 3, &page, err, sizeof(err)) != RU_OK) {
        fprintf(stderr, "reup-pagegen: %s: %s\n", argv[2], err[0] ? err : "out of memory");
        ok = 0;
    }
    FILE *f = ok ? fopen(argv[3], "w") : NULL;
    if (ok && (!f || fwrite(page.buf, 1, page.len, f) != page.len || fclose(f) != 0)) {
        fprintf(stderr, "reup-pagegen: %s cannot be written\n", argv[3]);
        ok = 0;
    }
    strbuf_release(&catalog);
    strbuf_release(&page);
    free(tmpl);
    return ok ? 0 : 1;
}
