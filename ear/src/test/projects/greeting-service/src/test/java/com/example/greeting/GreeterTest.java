package com.example.greeting;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class GreeterTest {

    private final Greeter greeter = new Greeter();

    @Test
    void greetsByName() {
        assertEquals("Hello, Ada", greeter.greet("Ada"));
    }

    @Nested
    class WithoutAName {

        @Test
        void greetsAStrangerForNull() {
            assertEquals("Hello, stranger", greeter.greet(null));
        }

        @Test
        void greetsAStrangerForBlank() {
            assertEquals("Hello, stranger", greeter.greet("  "));
        }
    }

    @Test
    @Disabled("kept to show that skipped tests are counted")
    void greetsInFrench() {
        assertEquals("Bonjour, Ada", greeter.greet("Ada"));
    }
}
