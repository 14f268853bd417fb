/*
 * The inventory database: <state>/bramble.db (SQLite, WAL).
 *
 * The schema is a list of migrations in db.c; schema_version holds how many
 * have run. Opening the database applies the missing ones, each in its own
 * transaction, so an old state directory is upgraded in place and a crash
 * mid-upgrade leaves the last complete version.
 */
#ifndef BRAMBLE_DB_H
#define BRAMBLE_DB_H

#include <sqlite3.h>
#include <stdint.h>

int db_open(const char *state_dir, sqlite3 **out);
void db_close(sqlite3 *db);
/* Run SQL without results (several statements allowed). */
int db_exec(sqlite3 *db, const char *sql);
/* Prepare or fail with a message naming the statement's purpose. */
int db_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st);
/* Error text for a failed step, as err_set(); returns -1. */
int db_fail(sqlite3 *db, const char *what);
int db_begin(sqlite3 *db);	/* BEGIN IMMEDIATE */
int db_commit(sqlite3 *db);
void db_rollback(sqlite3 *db);
int db_schema_version(sqlite3 *db);
/* Column i of the current row as a new string, NULL for SQL NULL. */
char *db_col_strdup(sqlite3_stmt *q, int i);

#endif
