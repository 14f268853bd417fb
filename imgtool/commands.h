/*
 * imgtool's command groups and verbs. Each verb lives in a file named for
 * it (image_import.c: cmd_image_import) and is listed in its group's table.
 */
#ifndef IMGTOOL_COMMANDS_H
#define IMGTOOL_COMMANDS_H

#include "cli.h"

int cmd_image(struct ctx *ctx, int argc, char **argv);
int cmd_image_import(struct ctx *ctx, int argc, char **argv);
int cmd_image_list(struct ctx *ctx, int argc, char **argv);
int cmd_image_rm(struct ctx *ctx, int argc, char **argv);
int cmd_image_gc(struct ctx *ctx, int argc, char **argv);
int cmd_image_exec(struct ctx *ctx, int argc, char **argv);
int cmd_image_shell(struct ctx *ctx, int argc, char **argv);
int cmd_image_diff(struct ctx *ctx, int argc, char **argv);
int cmd_fsck(struct ctx *ctx, int argc, char **argv);
int cmd_eeprom(struct ctx *ctx, int argc, char **argv);
int cmd_node(struct ctx *ctx, int argc, char **argv);
int cmd_node_publish(struct ctx *ctx, int argc, char **argv);
int cmd_node_unpublish(struct ctx *ctx, int argc, char **argv);
int cmd_node_verify(struct ctx *ctx, int argc, char **argv);
int cmd_node_add(struct ctx *ctx, int argc, char **argv);
int cmd_node_import(struct ctx *ctx, int argc, char **argv);
int cmd_node_export(struct ctx *ctx, int argc, char **argv);
int cmd_node_set(struct ctx *ctx, int argc, char **argv);
int cmd_node_rm(struct ctx *ctx, int argc, char **argv);
int cmd_node_list(struct ctx *ctx, int argc, char **argv);
int cmd_node_show(struct ctx *ctx, int argc, char **argv);
int cmd_node_replace(struct ctx *ctx, int argc, char **argv);
int cmd_node_diff(struct ctx *ctx, int argc, char **argv);
int cmd_node_build(struct ctx *ctx, int argc, char **argv);
int cmd_share(struct ctx *ctx, int argc, char **argv);
int cmd_share_add(struct ctx *ctx, int argc, char **argv);
int cmd_share_set(struct ctx *ctx, int argc, char **argv);
int cmd_share_rm(struct ctx *ctx, int argc, char **argv);
int cmd_share_list(struct ctx *ctx, int argc, char **argv);
int cmd_share_show(struct ctx *ctx, int argc, char **argv);

#endif
