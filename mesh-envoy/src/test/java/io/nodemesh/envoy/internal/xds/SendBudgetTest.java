package io.nodemesh.envoy.internal.xds;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SendBudgetTest {
    @Test
    void grantsUpToItsPermitsThenInOrderOfAsking() {
        SendBudget budget = new SendBudget(1);
        List<String> granted = new ArrayList<>();
        budget.acquire(() -> granted.add("a"));
        Runnable b = () -> granted.add("b");
        budget.acquire(b);
        budget.acquire(() -> granted.add("c"));
        assertThat(granted).containsExactly("a");
        assertThat(budget.cancel(b)).as("b no longer waits").isTrue();
        budget.release();
        assertThat(granted).containsExactly("a", "c");
        budget.release();
        budget.acquire(() -> granted.add("d"));
        assertThat(granted).as("a permit came back").containsExactly("a", "c", "d");
        assertThat(budget.cancel(b))
                .as("a waiter granted or gone cannot be cancelled")
                .isFalse();
    }
}
