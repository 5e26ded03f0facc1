package io.relais.analytics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class TwoProportionTestTest {

  @Test
  void twoHundredOfAThousandAgainstTwoHundredFiftyIsSignificant() {
    // By hand: pooled p = 450/2000 = 0.225; SE = sqrt(0.225 * 0.775 * 2/1000) = 0.018675;
    // z = (0.20 - 0.25) / 0.018675 = -2.677; p = 2 * (1 - Phi(2.677)) = 0.0074.
    // CI: SE' = sqrt(0.2*0.8/1000 + 0.25*0.75/1000) = 0.018641; -0.05 ± 1.96 * SE' = [-0.0865, -0.0135].
    TwoProportionTest.Result r = TwoProportionTest.compare(200, 1000, 250, 1000, 0.05);
    assertThat(r.z()).isCloseTo(-2.677, within(0.001));
    assertThat(r.pValue()).isCloseTo(0.0074, within(0.0002));
    assertThat(r.difference()).isCloseTo(-0.05, within(1e-12));
    assertThat(r.ciLow()).isCloseTo(-0.0865, within(0.0002));
    assertThat(r.ciHigh()).isCloseTo(-0.0135, within(0.0002));
    assertThat(r.significant()).isTrue();
  }

  @Test
  void aSmallDifferenceOnSmallSamplesIsNotSignificant() {
    // 10/100 vs 12/100: pooled 0.11, SE = sqrt(0.11*0.89*0.02) = 0.04425, z = -0.452, p = 0.651.
    TwoProportionTest.Result r = TwoProportionTest.compare(10, 100, 12, 100, 0.05);
    assertThat(r.z()).isCloseTo(-0.452, within(0.001));
    assertThat(r.pValue()).isCloseTo(0.651, within(0.001));
    assertThat(r.significant()).isFalse();
  }

  @Test
  void anEmptyArmGivesNoStatisticRatherThanNaN() {
    TwoProportionTest.Result r = TwoProportionTest.compare(0, 0, 5, 50, 0.05);
    assertThat(r.p1()).isNull();
    assertThat(r.p2()).isEqualTo(0.1);
    assertThat(r.z()).isNull();
    assertThat(r.pValue()).isNull();
    assertThat(r.significant()).isFalse();
  }

  @Test
  void normalQuantileInvertsTheCdf() {
    assertThat(TwoProportionTest.normalQuantile(0.975)).isCloseTo(1.95996, within(0.0001));
    assertThat(TwoProportionTest.normalCdf(0)).isCloseTo(0.5, within(1e-7));
  }
}
