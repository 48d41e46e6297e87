package io.vda.command.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SizesTest {

    @Test
    void shouldParseBinaryDecimalAndPlainSizes() {
        assertThat(Sizes.parse("10GiB")).isEqualTo(10L << 30);
        assertThat(Sizes.parse("10G")).isEqualTo(10L << 30);
        assertThat(Sizes.parse("512mib")).isEqualTo(512L << 20);
        assertThat(Sizes.parse("1.5TiB")).isEqualTo(3L << 39);
        assertThat(Sizes.parse("10GB")).isEqualTo(10_000_000_000L);
        assertThat(Sizes.parse("4096")).isEqualTo(4096L);
    }

    @Test
    void shouldRefuseNonSizes() {
        assertThatThrownBy(() -> Sizes.parse("ten gigs")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Sizes.parse("0.5")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldFormatInBinaryUnits() {
        assertThat(Sizes.format(10L << 30)).isEqualTo("10GiB");
        assertThat(Sizes.format(1536L << 20)).isEqualTo("1.5GiB");
        assertThat(Sizes.format(512)).isEqualTo("512B");
    }
}
