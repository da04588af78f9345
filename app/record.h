/* record.h: record envelopes, the unit that leaves the device (docs/sync-protocol.md, section 2). */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define CLMRS_ENVELOPE_VERSION 1

/* The record types that travel; the order is the order a server must
 * apply them in a batch (a child after its household, a visit after both). */
typedef enum {
  CLMRS_RECORD_COMMUNITY,
  CLMRS_RECORD_HOUSEHOLD,
  CLMRS_RECORD_CHILD,
  CLMRS_RECORD_VISIT,
  CLMRS_RECORD_SUPPORT,
  CLMRS_RECORD_AWARENESS_SESSION,
  CLMRS_RECORD_REVIEW,
  CLMRS_RECORD_AUDIT,        /* who did what on a device: kept by the server, sent to no device */
} ClmrsRecordType;

#define CLMRS_RECORD_N_TYPES (CLMRS_RECORD_AUDIT + 1)

const char *clmrs_record_type_to_string   (ClmrsRecordType type);
gboolean    clmrs_record_type_from_string (const char      *text,
                                           ClmrsRecordType *out);

/* The server's answer for one record of a push (docs/sync-protocol.md):
 * one list for the server that writes it and the device that applies it. */
typedef enum {
  CLMRS_PUSH_STORED,
  CLMRS_PUSH_DUPLICATE,
  CLMRS_PUSH_CONFLICT,
  CLMRS_PUSH_REJECTED,
} ClmrsPushOutcome;

#define CLMRS_PUSH_N_OUTCOMES (CLMRS_PUSH_REJECTED + 1)

typedef struct {
  guint             line;        /* 1-based line of the batch */
  char             *id;
  gint64            rev;
  ClmrsPushOutcome  outcome;
  char             *reason;      /* nullable; set for rejected */
} ClmrsPushResult;

/* "stored", "duplicate", "conflict" or "rejected". */
const char      *clmrs_push_outcome_to_string   (ClmrsPushOutcome  outcome);
gboolean         clmrs_push_outcome_from_string (const char       *text,
                                                 ClmrsPushOutcome *out);
ClmrsPushResult *clmrs_push_result_new          (guint             line,
                                                 const char       *id,
                                                 gint64            rev,
                                                 ClmrsPushOutcome  outcome,
                                                 const char       *reason);
void             clmrs_push_result_free         (ClmrsPushResult  *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClmrsPushResult, clmrs_push_result_free)

typedef struct {
  ClmrsRecordType  type;
  const char      *id;
  gint64           rev;
  const char      *device_id;
  const char      *author;
  const char      *community_id;
  const char      *created;
  const char      *modified;
  const char      *schema;        /* "household_visit@1" or "clmrs.household@1" */
  const char      *rules;         /* "gh@1" or NULL */
} ClmrsRecordHeader;

/* Builds the envelope around @body (taken) and returns it as one compact
 * JSON line without the newline: the exact bytes stored in the outbox and
 * sent on the wire. */
char *clmrs_record_envelope_line (const ClmrsRecordHeader *header,
                                  JsonNode                *body);

/* Compact JSON text of @node. */
char *clmrs_json_to_string        (JsonNode *node);
/* Appends @node as JSON; @canonical sorts members and writes integral
 * doubles as integers (the form that is hashed). */
void  clmrs_json_append           (GString  *out,
                                   JsonNode *node,
                                   gboolean  canonical);

/* Where the JSON text @text (@length bytes, already parsed as valid JSON)
 * has a string with a NUL character (\u0000): json-glib ends its strings
 * at the first NUL, so the parsed values would differ from the text.
 * Returns TRUE and sets @path ("body.answers.name", "body.children[1]";
 * "" for the text itself) and @in_member_name when one does. */
gboolean clmrs_json_text_find_nul (const char  *text,
                                   gsize        length,
                                   char       **path,
                                   gboolean    *in_member_name);

/* Sets @name to @value, or to null when @value is NULL. */
void  clmrs_json_set_nullable     (JsonObject *object,
                                   const char *name,
                                   const char *value);
/* A json-glib parse error as "column C: reason", quoting none of the input. */
char *clmrs_json_error_describe   (const GError *error);

/* What a record's body must hold for a device to apply it (record-check.c). */
#define CLMRS_RECORD_ERROR (clmrs_record_error_quark ())
GQuark clmrs_record_error_quark (void);

typedef enum {
  CLMRS_RECORD_ERROR_INVALID,   /* a member is missing, of the wrong type or an unknown code */
} ClmrsRecordError;

gboolean clmrs_record_check_body (ClmrsRecordType   type,
                                  JsonObject       *body,
                                  GError          **error);

/* A record another one points at: "body.household_id" must name a household. */
typedef struct {
  char            *member;   /* where in the body: "body.assessments[0].child_id" */
  ClmrsRecordType  type;     /* what it must be */
  char            *id;
  JsonObject      *same;     /* members the target's body must hold with the same values
                              * (a correction's kind, household_id, child_id), or NULL */
} ClmrsRecordRef;

void       clmrs_record_ref_free    (ClmrsRecordRef  *ref);
GPtrArray *clmrs_record_references  (ClmrsRecordType  type,
                                     JsonObject      *body);   /* (element-type ClmrsRecordRef) */
/* For a reference with `same`: whether @target_body (the body of the
 * record it names, as stored) holds those members with those values
 * (absent and null alike).  %FALSE with an error naming the reference
 * and the member that differs. */
gboolean   clmrs_record_ref_check_target (const ClmrsRecordRef *ref,
                                          JsonObject           *target_body,
                                          GError              **error);

G_END_DECLS
