/* catalog.h: the forms and rule sets a device uses: built in, or published by the server (docs/authoring-forms.md). */
#pragma once

#include "form-media.h"
#include "rules.h"
#include "store.h"
#include "xform.h"

G_BEGIN_DECLS

/*
 * Every version of a form or rule set is kept: built into the program
 * (assets/) or published on the server and pulled (the `published`
 * table, with a form's media files in `published_media`).  A new visit
 * uses the newest version of its form (clmrs_version_compare(); a
 * published version equal to the built-in one loses to it); a draft
 * finishes on the version it started with; a finalised visit's record
 * names its form version (`schema` "id@version") and its rule set
 * (`rules` "id@version").  Nothing is ever deleted, so every record can
 * still be read with the labels of the version that made it.
 */

typedef enum {
  CLMRS_ORIGIN_BUILTIN,
  CLMRS_ORIGIN_PUBLISHED,
} ClmrsOrigin;

typedef struct {
  char        *kind;      /* "form" or "rule_set" */
  char        *id;
  char        *version;
  ClmrsOrigin  origin;
  gboolean     current;   /* the version new visits use */
  char        *received;  /* when pulled (RFC 3339); NULL when built in */
  guint        media;     /* media files published with it */
} ClmrsCatalogEntry;

/* Orders two versions: runs of digits by their number, other characters
 * by byte ("2026.2" < "2026.10", "1" < "2026120701"); <0, 0, >0. */
int           clmrs_version_compare        (const char  *a,
                                            const char  *b);

const char   *clmrs_origin_to_string       (ClmrsOrigin  origin);   /* "built-in", "published" */

/* Every version of every form and rule set on the device, by kind, id
 * and version (newest last). */
GPtrArray    *clmrs_catalog_list           (ClmrsStore  *store,
                                            GError     **error);    /* (element-type ClmrsCatalogEntry) */
void          clmrs_catalog_entry_free     (ClmrsCatalogEntry *entry);

/* The form @form_id at @version, or its newest version when @version is
 * NULL; @media (nullable) gets the files published with that version
 * (empty for a built-in form).  An error names the form and version
 * when the device does not have it. */
ClmrsForm    *clmrs_catalog_load_form      (ClmrsStore      *store,
                                            const char      *form_id,
                                            const char      *version,
                                            ClmrsFormMedia **media,
                                            GError         **error);
/* The form a new visit of @kind uses ("household", "follow_up",
 * "support", "awareness", "community"): its form's newest version. */
ClmrsForm    *clmrs_catalog_form_for_visit (ClmrsStore      *store,
                                            const char      *kind,
                                            GError         **error);
/* The visit kind a form records ("household" for household_visit, ...);
 * "household" for a form of no known kind. */
const char   *clmrs_catalog_visit_kind     (const char      *form_id);

/* The rule set @rules_id at @version, or its newest when NULL. */
ClmrsRuleSet *clmrs_catalog_load_rules     (ClmrsStore      *store,
                                            const char      *rules_id,
                                            const char      *version,
                                            GError         **error);
/* The newest rule set of @country ("ci", "gh"), the ILO's when the
 * device has none for it (or @country is NULL or empty). */
ClmrsRuleSet *clmrs_catalog_rules_for_country (ClmrsStore   *store,
                                               const char   *country,
                                               GError      **error);

/* The media files of a published form version, as the engine reads them. */
ClmrsFormMedia *clmrs_catalog_load_media   (ClmrsStore      *store,
                                            const char      *form_id,
                                            const char      *version,
                                            GError         **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClmrsCatalogEntry, clmrs_catalog_entry_free)

G_END_DECLS
