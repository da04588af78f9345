/* form-media.h: the media files published with a form version, found by name (docs/authoring-forms.md). */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/*
 * A form refers to the files published with it as jr://file/NAME (also
 * jr://file-csv/NAME, jr://images/NAME, jr://audio/NAME, jr://video/NAME):
 * secondary instances (XML, CSV, GeoJSON) for select_one_from_file and
 * pulldata(), and pictures or sounds for labels.  A ClmrsFormMedia holds
 * those files of one form version by NAME (no folder: "farmers.csv").  It
 * is the one way the engine reaches them, the same on the server checking
 * a publication (the --media files) and on a device (the files pulled
 * with the version).  Immutable once filled; reference counted.
 */

typedef struct _ClmrsFormMedia ClmrsFormMedia;

ClmrsFormMedia *clmrs_form_media_new        (void);
ClmrsFormMedia *clmrs_form_media_ref        (ClmrsFormMedia *media);
void            clmrs_form_media_unref      (ClmrsFormMedia *media);
/* Adds (or replaces) @name; FALSE with @error when @name is not a plain
 * file name (empty, holds '/' or '\\', starts with '.'). */
gboolean        clmrs_form_media_add        (ClmrsFormMedia *media,
                                             const char     *name,
                                             GBytes         *content,
                                             GError        **error);
/* (transfer none): the file's bytes, NULL when the version has no @name. */
GBytes         *clmrs_form_media_lookup     (ClmrsFormMedia *media,
                                             const char     *name);
/* (transfer full): the names, sorted. */
GStrv           clmrs_form_media_list       (ClmrsFormMedia *media);
/* A ClmrsFormMediaFunc (xform.h) over @media (a ClmrsFormMedia *): the
 * forms engine reads a form's CSV and XML lists through it. */
GBytes         *clmrs_form_media_resolve    (const char     *name,
                                             gpointer        media,
                                             GError        **error);
guint           clmrs_form_media_count      (ClmrsFormMedia *media);

/* Whether @name is a plain file name a form may refer to. */
gboolean        clmrs_form_media_name_is_valid (const char *name);

/* (transfer full): the media NAMEs @xform refers to as jr://file/NAME
 * and the other jr:// media schemes above, sorted, each once. */
GStrv           clmrs_form_media_references (const char     *xform,
                                             gsize           length);

/* The wire form, in a publication line (docs/sync-protocol.md): an array
 * of {"name", "sha256", "size", "content" (base64)} sorted by name. */
JsonNode       *clmrs_form_media_to_json    (ClmrsFormMedia *media);
/* Reads that array back; an error names the file whose name, size,
 * base64 or SHA-256 is wrong.  NULL @node is no media. */
ClmrsFormMedia *clmrs_form_media_from_json  (JsonNode       *node,
                                             GError        **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClmrsFormMedia, clmrs_form_media_unref)

G_END_DECLS
