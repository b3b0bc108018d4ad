/**
 * The repmgr event handler: decides from {@code %n %e %s} whether this node claims or releases the VIP,
 * after asking the local PostgreSQL through pgjdbc whether it really is a primary. Empty until the
 * repmgr hook issue lands; the module exists so that the build layout is settled.
 */
package dev.vip.hook;
