/*
 * printing/cardsheet.c - PDF documents of cards through cairo's PDF surface, written
 * to a stream as pages finish. A page of backs needs the serials of its page of fronts
 * only; PINs are never kept past the card they are drawn on.
 */
#include <cairo-pdf.h>
#include <stdlib.h>
#include <string.h>
#include "printing/cardsheet.h"
#include "common/cardnum.h"
#include "common/banned.h"

#define SLOTS_MAX 10

struct cardsheet {
    FILE *out;
    int write_failed;
    const struct layout *l;
    struct cardrender *r;
    int back;
    cairo_surface_t *pdf;
    cairo_t *cr;
    int on_page; /* cards on the open page */
    unsigned long cards, pages;
    /* what the page of backs needs of the fronts */
    char serial[SLOTS_MAX][CARD_DIGITS + 1];
    char plan[SLOTS_MAX][TEMPLATE_CODE_MAX + 1];
    char lang[SLOTS_MAX][3];
};

static cairo_status_t write_out(void *closure, const unsigned char *data, unsigned int len)
{
    struct cardsheet *s = closure;
    if (fwrite(data, 1, len, s->out) != len) {
        s->write_failed = 1;
        return CAIRO_STATUS_WRITE_ERROR;
    }
    return CAIRO_STATUS_SUCCESS;
}

enum ru_status cardsheet_new(FILE *out, const struct layout *l, struct cardrender *r, int back,
                             const char *title, struct cardsheet **sheet)
{
    struct cardsheet *s = calloc(1, sizeof(*s));
    if (!s)
        return RU_ERR_NOMEM;
    *s = (struct cardsheet){.out = out, .l = l, .r = r, .back = back};
    s->pdf =
        cairo_pdf_surface_create_for_stream(write_out, s, LAYOUT_PT(l->page_w_mm), LAYOUT_PT(l->page_h_mm));
    s->cr = cairo_create(s->pdf);
    if (cairo_status(s->cr) != CAIRO_STATUS_SUCCESS) {
        cardsheet_free(s);
        return RU_ERR_NOMEM;
    }
    cairo_pdf_surface_set_metadata(s->pdf, CAIRO_PDF_METADATA_TITLE, title);
    cairo_pdf_surface_set_metadata(s->pdf, CAIRO_PDF_METADATA_CREATOR, "reup-print");
    *sheet = s;
    return RU_OK;
}

static enum ru_status status(struct cardsheet *s)
{
    if (s->write_failed)
        return RU_ERR_IO;
    return cairo_status(s->cr) == CAIRO_STATUS_SUCCESS ? RU_OK : RU_ERR_NOMEM;
}

/* End the page of fronts, and draw its page of backs. */
static enum ru_status end_page(struct cardsheet *s)
{
    enum ru_status rc = RU_OK;
    layout_draw_crop_marks(s->l, s->cr);
    cairo_show_page(s->cr);
    s->pages++;
    if (s->back) {
        for (int i = 0; i < s->on_page && rc == RU_OK; i++) {
            double x, y;
            struct card_face c = {.serial = s->serial[i], .pin = "", .plan = s->plan[i], .lang = s->lang[i]};
            if (!c.lang[0])
                c.lang = NULL;
            layout_slot(s->l, i, 1, &x, &y);
            rc = cardrender_back(s->r, s->cr, x, y, &c);
        }
        layout_draw_crop_marks(s->l, s->cr);
        cairo_show_page(s->cr);
        s->pages++;
    }
    s->on_page = 0;
    return rc != RU_OK ? rc : status(s);
}

enum ru_status cardsheet_add(struct cardsheet *s, const struct card_face *card)
{
    double x, y;
    layout_slot(s->l, s->on_page, 0, &x, &y);
    enum ru_status rc = cardrender_front(s->r, s->cr, x, y, card);
    if (rc != RU_OK)
        return rc;
    snprintf(s->serial[s->on_page], sizeof(s->serial[0]), "%s", card->serial);
    snprintf(s->plan[s->on_page], sizeof(s->plan[0]), "%s", card->plan);
    snprintf(s->lang[s->on_page], sizeof(s->lang[0]), "%s", card->lang ? card->lang : "");
    s->on_page++;
    s->cards++;
    if (s->on_page == layout_per_page(s->l))
        return end_page(s);
    return status(s);
}

enum ru_status cardsheet_finish(struct cardsheet *s)
{
    enum ru_status rc = s->on_page ? end_page(s) : status(s);
    if (rc != RU_OK)
        return rc;
    cairo_surface_finish(s->pdf);
    if (s->write_failed || cairo_surface_status(s->pdf) != CAIRO_STATUS_SUCCESS)
        return RU_ERR_IO;
    return fflush(s->out) == 0 ? RU_OK : RU_ERR_IO;
}

unsigned long cardsheet_cards(const struct cardsheet *s)
{
    return s->cards;
}

unsigned long cardsheet_pages(const struct cardsheet *s)
{
    return s->pages;
}

void cardsheet_free(struct cardsheet *s)
{
    if (!s)
        return;
    if (s->cr)
        cairo_destroy(s->cr);
    if (s->pdf)
        cairo_surface_destroy(s->pdf);
    free(s);
}

struct png_out {
    FILE *f;
    int failed;
};

static cairo_status_t write_png(void *closure, const unsigned char *data, unsigned int len)
{
    struct png_out *o = closure;
    if (fwrite(data, 1, len, o->f) != len) {
        o->failed = 1;
        return CAIRO_STATUS_WRITE_ERROR;
    }
    return CAIRO_STATUS_SUCCESS;
}

enum ru_status cardsheet_png(FILE *out, struct cardrender *r, const struct card_face *card, int back, int dpi)
{
    double scale = dpi / 72.0;
    int w = (int)(LAYOUT_PT(LAYOUT_CARD_W_MM) * scale + 0.5),
        h = (int)(LAYOUT_PT(LAYOUT_CARD_H_MM) * scale + 0.5);
    cairo_surface_t *img = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
    cairo_t *cr = cairo_create(img);
    enum ru_status rc = RU_ERR_NOMEM;
    if (cairo_status(cr) == CAIRO_STATUS_SUCCESS) {
        cairo_scale(cr, scale, scale);
        rc = back ? cardrender_back(r, cr, 0, 0, card) : cardrender_front(r, cr, 0, 0, card);
    }
    if (rc == RU_OK) {
        struct png_out o = {out, 0};
        cairo_surface_flush(img);
        rc = cairo_surface_write_to_png_stream(img, write_png, &o) == CAIRO_STATUS_SUCCESS && !o.failed &&
                     fflush(out) == 0
                 ? RU_OK
                 : RU_ERR_IO;
    }
    cairo_destroy(cr);
    cairo_surface_destroy(img);
    return rc;
}
