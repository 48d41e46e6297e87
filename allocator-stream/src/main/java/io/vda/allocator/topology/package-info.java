/**
 * The allocator's Kafka Streams wiring (design note).
 *
 * <p><b>Partitioning.</b> The commands topic has one partition, so the allocator runs one task and sees every
 * command of the cluster in one order. Placement is a global decision (any disk array may take any disk), so it
 * needs one consistent view of all free capacity; one task gives that without locks or cross-partition
 * coordination (ADR 0010). Outputs go to topics with their own partitioning (events by resource key, outcomes by
 * command id, one topic per node).
 *
 * <p><b>Consistency.</b> With {@code exactly_once_v2}, for each batch of commands the state-store changelog writes,
 * the events, outcomes and node desired state, and the consumer offset commit in one transaction: after a crash
 * either all of a command's effects are visible (to {@code read_committed} readers) or none, and the command is
 * decided again from the store as it was. The store holds only entities (disk nodes, disks, controller nodes,
 * disk arrays with their placement, exporters, failed nodes); allocations and the placement index are derived
 * from them when the processor starts ({@code init} runs after restoration), so they cannot drift from the truth.
 * A command id seen before is answered from the {@code outcomes-by-command} store (kept for
 * {@code VDA_ALLOCATOR_OUTCOME_RETENTION}, purged by a wall-clock punctuator) and changes nothing.
 *
 * <p><b>Poison records.</b> The source reads values as bytes and the processor deserializes them, so that a record
 * that cannot be read (or that is not a command, or that meets a bug) is parked on the dead-letter topic with its
 * origin in headers <em>in the same transaction</em> that moves past it; Kafka Streams 4.1's exception handlers
 * cannot write records, so they only log (deserialization) or fail (anything escaping the processor, which is an
 * infrastructure fault, not a poison record; the transaction aborts and the command is retried).
 */
package io.vda.allocator.topology;
