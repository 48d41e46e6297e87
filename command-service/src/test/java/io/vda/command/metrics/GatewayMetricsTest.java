package io.vda.command.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GatewayMetricsTest {

    @Test
    void shouldExposeCountersAndCumulativeHistogram() {
        GatewayMetrics m = new GatewayMetrics();
        m.request("POST", "/v1/disk-arrays", 202, 3_000_000);
        m.request("POST", "/v1/disk-arrays", 202, 40_000_000);
        m.publishError("unavailable");

        String text = m.scrape();

        assertThat(text).contains("vda_gateway_http_requests_total{method=\"POST\",route=\"/v1/disk-arrays\",status=\"202\"} 2");
        assertThat(text).contains("vda_gateway_http_request_duration_seconds_bucket{method=\"POST\",route=\"/v1/disk-arrays\",le=\"0.005\"} 1");
        assertThat(text).contains("vda_gateway_http_request_duration_seconds_bucket{method=\"POST\",route=\"/v1/disk-arrays\",le=\"0.05\"} 2");
        assertThat(text).contains("vda_gateway_http_request_duration_seconds_count{method=\"POST\",route=\"/v1/disk-arrays\"} 2");
        assertThat(text).contains("vda_gateway_publish_errors_total{reason=\"unavailable\"} 1");
        assertThat(text).contains("# TYPE vda_gateway_commands_published_total counter");
    }
}
