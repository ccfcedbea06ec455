package com.example.greeting;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

@SpringBootTest
class GreetingApplicationTest {

    @Autowired
    private Greeter greeter;

    @Test
    void contextLoads() {
        assertNotNull(greeter);
    }
}
