// SPDX-License-Identifier: BSD-3-Clause
// The seeds' example TCPClient (/work/shared/seeds), copied as is except
// that the host comes from args[0] instead of "localhost" (the test runs it
// against synackd at 198.18.0.2 port 8080); everything else is identical.
import java.net.*;
import java.io.*;

public class TCPClient {
    public static void main(String[] args) {
        try {
            // 서버에 연결 요청
            Socket socket = new Socket(args[0], 8080);

            // 서버에 메시지 전송
            PrintWriter out = new PrintWriter(socket.getOutputStream(), true);
            out.println("Hello Server");

            // 서버로부터 메시지 수신
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream()));
            String response = in.readLine();
            System.out.println("Server: " + response);

            // 연결 종료
            socket.close();
        } catch (IOException e) {
            e.printStackTrace();
        }
    }
}
