/* outbox.h: the records waiting to leave the device, and what became of them. */
#pragma once

#include "record.h"
#include "store.h"

G_BEGIN_DECLS

typedef struct {
  char   *record_id;
  char   *type;
  gint64  rev;
  char   *reason;
} ClmrsRejection;

/* The queue by facilitator: their records waiting or refused; the audit
 * trail's own records are left out (they are nobody's work to review). */
typedef struct {
  char      *facilitator_id;
  char      *facilitator_name;
  gint64     queued;        /* waiting to be sent */
  char      *oldest;        /* queued_at of the oldest waiting record, or NULL */
  gint64     bytes;         /* envelope bytes waiting (uncompressed) */
  gint64     rejected;      /* refused by the server: kept, with reasons */
  char      *last_error;    /* the latest transfer error, or NULL */
  GPtrArray *rejections;    /* (element-type ClmrsRejection) */
} ClmrsQueueRow;

void       clmrs_queue_row_free              (ClmrsQueueRow *row);

/* Inside an open transaction: queues @line (an envelope) for sending. */
gboolean   clmrs_outbox_enqueue              (ClmrsStore    *store,
                                              const char    *record_id,
                                              gint64         rev,
                                              ClmrsRecordType type,
                                              const char    *facilitator_id,
                                              const char    *line,
                                              GError       **error);
GPtrArray *clmrs_outbox_queue_by_facilitator (ClmrsStore    *store,
                                              GError       **error);  /* (element-type ClmrsQueueRow) */
JsonNode  *clmrs_outbox_queue_to_json        (GPtrArray     *rows);

/* Calls @func for each envelope line in the order records were finalised;
 * with @only_queued, just those still waiting. */
typedef gboolean (*ClmrsEnvelopeFunc) (const char *line,
                                       gpointer    user_data,
                                       GError    **error);
gboolean   clmrs_outbox_foreach              (ClmrsStore        *store,
                                              gboolean           only_queued,
                                              ClmrsEnvelopeFunc  func,
                                              gpointer           user_data,
                                              GError           **error);

/* Acknowledged envelopes older than @days lose their text (the row stays,
 * saying the record was sent): the server holds them, and a handheld
 * should not.  Sets @pruned to how many. */
#define CLMRS_OUTBOX_KEEP_SENT_DAYS 30
gboolean   clmrs_outbox_prune_sent           (ClmrsStore        *store,
                                              guint              days,
                                              gint64            *pruned,
                                              GError           **error);

G_END_DECLS
