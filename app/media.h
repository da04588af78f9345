/* media.h: media answers (a photo, a signature) kept in the device's store with their visit, and their way to the server. */
#pragma once

#include <json-glib/json-glib.h>

#include "store.h"

G_BEGIN_DECLS

/*
 * A binary question's answer is a file name ("3f2a....jpg"); the file
 * itself is a row of the store's `media` table, bound to its visit and
 * question, so it is sealed with the rest of the database (an encrypted
 * device shows no picture without a PIN: docs/security-at-rest.md) and
 * goes when the draft is discarded or the device wiped.  Photos are
 * scaled down before they are kept; every file has the programme's size
 * limit.  After the visit's record is acknowledged by the server, sync
 * sends each file in chunks (docs/sync-protocol.md, "Media").
 */

#define CLMRS_MEDIA_ERROR (clmrs_media_error_quark ())

typedef enum {
  CLMRS_MEDIA_ERROR_TOO_LARGE,   /* over the programme's limit, after scaling down */
  CLMRS_MEDIA_ERROR_NOT_IMAGE,   /* an image was asked for and the file is not one this device reads */
  CLMRS_MEDIA_ERROR_NOT_FOUND,   /* no such file for that visit */
} ClmrsMediaError;

GQuark clmrs_media_error_quark (void);

#define CLMRS_MEDIA_MAX_BYTES (2 * 1024 * 1024)  /* the programme's limit on one file, after scaling */
#define CLMRS_MEDIA_MAX_EDGE  1280               /* a photo's longest edge when its form sets no orx:max-pixels */

typedef struct {
  char   *id;        /* the file's id on the wire (a UUID) */
  char   *visit_id;
  char   *ref;       /* the question */
  char   *name;      /* the answer: "<id>.jpg" */
  char   *mime;
  gint64  size;
  char   *sha256;    /* lower-case hex of the content */
  gint64  sent;      /* bytes the server has acknowledged */
} ClmrsMediaInfo;

void      clmrs_media_info_free       (ClmrsMediaInfo *info);

/* An image as it is kept: decoded, turned upright (its EXIF orientation),
 * scaled so its longest edge is at most @max_edge (0: CLMRS_MEDIA_MAX_EDGE),
 * and encoded as PNG when @png (drawings and signatures: sharp lines, few
 * colours) else JPEG.  Refused above @max_bytes (0: CLMRS_MEDIA_MAX_BYTES),
 * naming both sizes.  @mime is set to the type written. */
GBytes   *clmrs_media_prepare_image   (GBytes       *input,
                                       guint         max_edge,
                                       gboolean      png,
                                       gsize         max_bytes,
                                       char        **mime,
                                       GError      **error);

/* Keeps @content as the file answering @ref in the draft @visit_id
 * (replacing the one it had), in one transaction, and returns its name:
 * the value to save as the answer.  @extension ("jpg") names its kind.
 * Refused above @max_bytes (0: CLMRS_MEDIA_MAX_BYTES). */
char     *clmrs_media_attach          (ClmrsStore   *store,
                                       const char   *visit_id,
                                       const char   *ref,
                                       const char   *mime,
                                       const char   *extension,
                                       GBytes       *content,
                                       gsize         max_bytes,
                                       GError      **error);
/* The file named @name (an answer) of visit @visit_id. */
GBytes   *clmrs_media_read_file       (ClmrsStore   *store,
                                       const char   *visit_id,
                                       const char   *name,
                                       char        **mime,
                                       GError      **error);
/* Inside the finalising transaction: drops the files of @visit_id that
 * no answer in @answers names (a photo taken again, a question made not
 * relevant), so only what the record points at is kept and sent. */
gboolean  clmrs_media_drop_unanswered (ClmrsStore   *store,
                                       const char   *visit_id,
                                       JsonNode     *answers,
                                       GError      **error);

/* Sync: the files of finalised visits whose record the server has
 * acknowledged, and that it has not acknowledged yet, oldest first. */
GPtrArray *clmrs_media_list_unsent    (ClmrsStore   *store,
                                       GError      **error);  /* (element-type ClmrsMediaInfo) */
/* every such file, the visit acknowledged or not */
gboolean  clmrs_media_count_unsent    (ClmrsStore   *store,
                                       gint64       *count,
                                       GError      **error);
GBytes   *clmrs_media_read_chunk      (ClmrsStore   *store,
                                       const char   *id,
                                       gint64        offset,
                                       gsize         length,
                                       GError      **error);
/* The server holds the first @received bytes of file @id (all of them when @complete). */
gboolean  clmrs_media_note_sent       (ClmrsStore   *store,
                                       const char   *id,
                                       gint64        received,
                                       gboolean      complete,
                                       GError      **error);

/* The bytes of files the server has held whole for more than @days are
 * dropped (the row stays, saying what was sent): the server keeps them,
 * and a handheld that may be lost should not.  Sets @pruned to how many. */
gboolean  clmrs_media_prune_sent      (ClmrsStore   *store,
                                       guint         days,
                                       gint64       *pruned,
                                       GError      **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClmrsMediaInfo, clmrs_media_info_free)

G_END_DECLS
