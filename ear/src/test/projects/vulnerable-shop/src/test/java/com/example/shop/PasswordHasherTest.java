package com.example.shop;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class PasswordHasherTest {

    @Test
    void hashesToHex() throws Exception {
        assertEquals(32, new PasswordHasher().hash("pw").length());
    }
}
