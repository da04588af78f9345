/* audit.h: the device's audit trail: who did what, kept here and sent to the server. */
#pragma once

#include "store.h"

G_BEGIN_DECLS

/* What is recorded (the server checks the same list, record-check.c). */
#define CLMRS_AUDIT_SIGN_IN        "sign_in"
#define CLMRS_AUDIT_WRONG_PIN      "wrong_pin"
#define CLMRS_AUDIT_SIGN_OUT       "sign_out"
#define CLMRS_AUDIT_LOCKED         "locked"
#define CLMRS_AUDIT_OPEN_HOUSEHOLD "open_household"
#define CLMRS_AUDIT_OPEN_VISIT     "open_visit"
#define CLMRS_AUDIT_REVIEW         "review"

gboolean   clmrs_audit_record  (ClmrsStore  *store,
                                const char  *person_id,
                                const char  *action,
                                const char  *subject_type,   /* nullable: "household", "visit" */
                                const char  *subject_id,     /* nullable */
                                const char  *detail,         /* nullable: never a name or an answer */
                                GError     **error);

/* Sign-in and sign-out through the trail: clmrs_store_check_pin() and
 * the connection's actor (clmrs_store_set_actor()), each noted. */
gboolean   clmrs_audit_sign_in  (ClmrsStore  *store,
                                 const char  *person_id,
                                 const char  *pin,
                                 GError     **error);
gboolean   clmrs_audit_sign_out (ClmrsStore  *store,
                                 gboolean     locked,
                                 GError     **error);
void       clmrs_audit_open     (ClmrsStore  *store,
                                 const char  *type,      /* "household" or "visit" */
                                 const char  *id);

typedef struct {
  char *at;
  char *person_id;
  char *action;
  char *subject_type;
  char *subject_id;
  char *detail;
} ClmrsAuditEntry;

void       clmrs_audit_entry_free (ClmrsAuditEntry *entry);
/* The newest @limit entries, newest first. */
GPtrArray *clmrs_audit_list    (ClmrsStore  *store,
                                guint        limit,
                                GError     **error);   /* (element-type ClmrsAuditEntry) */

G_END_DECLS
