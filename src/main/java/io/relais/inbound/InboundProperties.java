package io.relais.inbound;

import java.time.Duration;
import java.time.Period;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the inbound pipeline ({@code relais.inbound.*}).
 *
 * @param pauseDuration how long PAUSE suspends marketing
 * @param pendingReplyTimeout how long a reply waits for its journey to reach its wait before the
 *     customer is treated as having started a new conversation
 * @param retryDelay delay before a kept reply or a failed processing is tried again
 * @param sweepDelay the grace before the sweeper takes over a stored message nobody processed
 * @param claimLease how long a node owns a message it processes (a crashed node's work is taken
 *     over after it)
 * @param workers threads processing inbound messages on this node
 * @param maxBodyLength longest accepted text (WhatsApp allows 4,096 characters, SMS 1,600)
 * @param maxAttempts failed processing attempts after which a message is parked for an operator
 *     instead of being retried forever (it stays stored and in the transcript)
 * @param continueInRouting whether a journey's steps after a reply (the asynchronous continuation
 *     of the event that caught it) run in the routing transaction, up to the journey's next wait,
 *     instead of in a job of their own; a failure there routes the reply again and leaves those
 *     steps to their job
 */
@ConfigurationProperties("relais.inbound")
public record InboundProperties(
    @DefaultValue("P30D") Period pauseDuration,
    @DefaultValue("PT1M") Duration pendingReplyTimeout,
    @DefaultValue("PT1S") Duration retryDelay,
    @DefaultValue("PT3S") Duration sweepDelay,
    @DefaultValue("PT2M") Duration claimLease,
    @DefaultValue("4") int workers,
    @DefaultValue("4096") int maxBodyLength,
    @DefaultValue("10") int maxAttempts,
    @DefaultValue("true") boolean continueInRouting) {}
